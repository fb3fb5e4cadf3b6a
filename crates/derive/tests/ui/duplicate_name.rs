// Two roles may not share a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, regula::Role)]
enum Party {
    #[regula(name = "clerk", zh = "书记员", en = "Clerk")]
    Clerk,
    #[regula(name = "clerk", zh = "助理", en = "Assistant")]
    Assistant,
}

fn main() {}
