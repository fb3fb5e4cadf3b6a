// A row names its action by the kind enum of the lifecycle's own action type: a kind
// of another action enum does not compile.
use regula::{Definition, Lifecycle};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, regula::State)]
enum Stage {
    #[regula(zh = "起草", en = "Drafting")]
    Drafting,
    #[regula(zh = "完成", en = "Done")]
    Done,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, regula::Action)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
enum Step {
    #[regula(zh = "完成", en = "Finish")]
    Finish,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, regula::Action)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
enum Other {
    #[regula(zh = "其他", en = "Other")]
    Elsewhere,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, regula::Role)]
enum Party {
    #[regula(zh = "书记员", en = "Clerk")]
    Clerk,
}

struct Flow;

impl Lifecycle for Flow {
    type State = Stage;
    type Action = Step;
    type Data = ();
}

fn main() {
    let _ = Definition::<Flow>::builder("flow", 1)
        .states()
        .actions()
        .roles::<Party>()
        .initial(Stage::Drafting)
        .terminal(Stage::Done)
        .on(Stage::Drafting, OtherKind::Elsewhere, Stage::Done, |row| row.by([Party::Clerk]))
        .build();
}
