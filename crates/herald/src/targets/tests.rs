use super::*;

#[test]
fn parses_lists_and_all() {
    assert_eq!(Targets::parse("all").unwrap(), Targets::all());
    let two = Targets::parse("ingest, api").unwrap();
    assert!(two.has(Target::Ingest) && two.has(Target::Api) && !two.has(Target::Digest));
    assert!(
        Targets::parse("ingest,mailer")
            .unwrap_err()
            .contains("mailer")
    );
}
