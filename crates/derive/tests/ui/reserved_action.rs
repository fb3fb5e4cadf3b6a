// `create` is the engine's own record: no action may take the name.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, regula::Action)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
enum Step {
    #[regula(zh = "创建", en = "Create")]
    Create,
    #[regula(zh = "提交", en = "Submit")]
    Submit,
}

fn main() {}
