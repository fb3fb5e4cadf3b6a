// serde would write "Submit"; Regula names the action "submit": the payloads would
// not read back.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, regula::Action)]
#[serde(tag = "action", content = "payload")]
enum Step {
    #[regula(zh = "提交", en = "Submit")]
    Submit,
}

fn main() {}
