//! What each actor of the plan does to a standard, one module per actor.

mod department;
mod intermediate_court;
mod leading_group;
mod office;
