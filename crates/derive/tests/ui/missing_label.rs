// Every state needs both labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, regula::State)]
enum Stage {
    #[regula(zh = "起草")]
    Drafting,
}

fn main() {}
