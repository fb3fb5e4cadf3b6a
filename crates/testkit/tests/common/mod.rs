//! Sample lifecycles for the kit's own tests: a small publishing workflow, a
//! deliberately broken version of it, and a deliberately broken store.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use regula_core::store::{Append, InstanceFilter, InstanceHead, MemoryStore, Store, StoreError, TreeHead};
use regula_core::{
    Action, AuditRecord, Definition, GuardExpr, Lifecycle, PayloadError, Snapshot, Span, State, Text, Transition,
};
use regula_testkit::Scenario;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Draft,
    Review,
    Approved,
    Published,
    Withdrawn,
}

impl State for Stage {
    fn name(&self) -> &str {
        match self {
            Stage::Draft => "draft",
            Stage::Review => "review",
            Stage::Approved => "approved",
            Stage::Published => "published",
            Stage::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum Act {
    Submit { title: String },
    Comment { text: String },
    Approve,
    Reject,
    Publish,
    Withdraw,
}

impl Action for Act {
    fn name(&self) -> &str {
        match self {
            Act::Submit { .. } => "submit",
            Act::Comment { .. } => "comment",
            Act::Approve => "approve",
            Act::Reject => "reject",
            Act::Publish => "publish",
            Act::Withdraw => "withdraw",
        }
    }
    fn payload(&self) -> Result<serde_json::Value, PayloadError> {
        regula_core::action::tagged_payload(self)
    }
    fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
        regula_core::action::from_tagged(name, payload)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub title: String,
    pub submitted_by: Option<String>,
    pub approvals: u32,
    pub comments: u32,
}

pub struct Publishing;

impl Lifecycle for Publishing {
    type State = Stage;
    type Action = Act;
    type Data = Doc;
}

/// What can go wrong on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flaw {
    None,
    /// `review --publish--> published`: publishes without approval.
    PublishWithoutApproval,
    /// The effect counts comments with a global counter: not a pure function.
    ImpureEffect,
}

static IMPURE: AtomicUsize = AtomicUsize::new(0);

/// The publishing workflow: authors submit a titled draft for review, editors approve
/// (not their own submissions) or reject it, anyone comments during review, editors
/// publish after a day's cooling period, and authors withdraw before publication.
pub fn publishing(flaw: Flaw) -> Definition<Publishing> {
    let mut b = Definition::<Publishing>::builder("publishing", 1)
        .state(Stage::Draft, Text::new("草稿", "Draft"))
        .state(Stage::Review, Text::new("审核", "Review"))
        .state(Stage::Approved, Text::new("已批准", "Approved"))
        .state(Stage::Published, Text::new("已发布", "Published"))
        .state(Stage::Withdrawn, Text::new("已撤回", "Withdrawn"))
        .initial(Stage::Draft)
        .terminal(Stage::Published)
        .terminal(Stage::Withdrawn)
        .role("author", Text::new("作者", "Author"))
        .role("editor", Text::new("编辑", "Editor"))
        .creators(["author"])
        .action("submit", Text::new("提交", "Submit"))
        .action("comment", Text::new("评论", "Comment"))
        .action("approve", Text::new("批准", "Approve"))
        .action("reject", Text::new("退回", "Reject"))
        .action("publish", Text::new("发布", "Publish"))
        .action("withdraw", Text::new("撤回", "Withdraw"))
        .guard(
            "has_title",
            Text::new("须有标题", "needs a title"),
            |input| match input.action {
                Act::Submit { title } if title.trim().is_empty() => Err(Text::new("标题为空", "the title is empty")),
                _ => Ok(()),
            },
        )
        .guard(
            "not_own_work",
            Text::new("不得批准自己提交的稿件", "may not approve one's own submission"),
            |input| {
                if input.instance.data().submitted_by.as_deref() == Some(input.actor.id.as_str()) {
                    Err(Text::new("不得批准自己提交的稿件", "approving one's own submission"))
                } else {
                    Ok(())
                }
            },
        )
        .transition(
            Transition::new(Stage::Draft, "submit", Stage::Review)
                .by(["author"])
                .when("has_title"),
        )
        .transition(Transition::new(Stage::Review, "comment", Stage::Review).by(["author", "editor"]))
        .transition(
            Transition::new(Stage::Review, "approve", Stage::Approved)
                .by(["editor"])
                .when("not_own_work"),
        )
        .transition(Transition::new(Stage::Review, "reject", Stage::Draft).by(["editor"]))
        .transition(
            Transition::new(Stage::Approved, "publish", Stage::Published)
                .by(["editor"])
                .guard(GuardExpr::MinTimeInState(Span::days(1))),
        )
        .transition(Transition::new(Stage::Draft, "withdraw", Stage::Withdrawn).by(["author"]))
        .transition(Transition::new(Stage::Review, "withdraw", Stage::Withdrawn).by(["author"]))
        .transition(Transition::new(Stage::Approved, "withdraw", Stage::Withdrawn).by(["author"]));
    if flaw == Flaw::PublishWithoutApproval {
        b = b.transition(Transition::new(Stage::Review, "publish", Stage::Published).by(["editor"]));
    }
    let impure = flaw == Flaw::ImpureEffect;
    b.effect(move |doc: &mut Doc, input| match input.action {
        Act::Submit { title } => {
            doc.title = title.clone();
            doc.submitted_by = Some(input.actor.id.to_string());
        }
        Act::Approve => doc.approvals += 1,
        Act::Comment { .. } if impure => {
            doc.comments = IMPURE.fetch_add(1, Ordering::Relaxed) as u32 + 1;
        }
        Act::Comment { .. } => doc.comments += 1,
        _ => {}
    })
    .build()
    .expect("the sample definition is valid")
}

/// Scripts for the publishing workflow: submit titles that are sometimes empty,
/// comments of a few letters.
pub fn scenario(definition: impl Into<Arc<Definition<Publishing>>>) -> Scenario<Publishing> {
    Scenario::new(definition, Just(Doc::default()))
        .payload("submit", "[a-z]{0,6}".prop_map(|title| Act::Submit { title }))
        .payload("comment", "[a-z ]{0,10}".prop_map(|text| Act::Comment { text }))
}

/// A store that silently loses every fifth record: it acknowledges the append but
/// keeps nothing.
#[derive(Default)]
pub struct LossyStore {
    inner: MemoryStore,
}

impl Store for LossyStore {
    fn append_batch(&self, batch: &[Append<'_>]) -> Result<TreeHead, StoreError> {
        if batch.iter().any(|a| a.records.iter().any(|r| r.seq % 5 == 0)) {
            return self.inner.tree_head();
        }
        self.inner.append_batch(batch)
    }
    fn load_after(&self, instance: Uuid, after: u64) -> Result<Vec<AuditRecord>, StoreError> {
        self.inner.load_after(instance, after)
    }
    fn head(&self, instance: Uuid) -> Result<InstanceHead, StoreError> {
        self.inner.head(instance)
    }
    fn list(&self, filter: &InstanceFilter) -> Result<Vec<InstanceHead>, StoreError> {
        self.inner.list(filter)
    }
    fn scan(&self, from: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.inner.scan(from, limit)
    }
    fn tree_head(&self) -> Result<TreeHead, StoreError> {
        self.inner.tree_head()
    }
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.inner.put_snapshot(snapshot)
    }
    fn snapshot(&self, instance: Uuid) -> Result<Option<Snapshot>, StoreError> {
        self.inner.snapshot(instance)
    }
}
