use super::*;

fn names() -> Names {
    Names::new(SubjectPrefix::parse("t-42").unwrap())
}

#[test]
fn stream_names_are_upper_case_without_dashes() {
    assert_eq!(names().events_stream(), "T_42_EVENTS");
    assert_eq!(names().deliveries_stream(), "T_42_DELIVERIES");
    assert_eq!(names().rejected_stream(), "T_42_REJECTED");
}

#[test]
fn event_subjects_split_into_tenant_and_dotted_type() {
    let subject = names().event_subject("acme", "transfer.failed");
    assert_eq!(subject, "t-42.events.acme.transfer.failed");
    assert_eq!(
        names().parse_event_subject(&subject),
        Some(EventSubject {
            tenant: "acme",
            event_type: "transfer.failed"
        })
    );
    assert_eq!(names().parse_event_subject("t-42.events.acme"), None);
    assert_eq!(names().parse_event_subject("other.events.acme.x.y"), None);
}

#[test]
fn prefixes_are_single_lower_case_tokens() {
    assert!(SubjectPrefix::parse("herald").is_ok());
    assert_eq!(SubjectPrefix::parse("Herald"), Err(PrefixError));
    assert_eq!(SubjectPrefix::parse("a.b"), Err(PrefixError));
    assert_eq!(SubjectPrefix::parse(""), Err(PrefixError));
}

#[test]
fn rejected_subject_files_bad_tenants_apart() {
    assert_eq!(names().rejected_subject("acme"), "t-42.rejected.acme");
    assert_eq!(names().rejected_subject("ACME*"), "t-42.rejected._invalid");
}

#[test]
fn ops_subjects_name_their_tenant() {
    let subject = names().ops_subject("acme");
    assert_eq!(names().parse_ops_subject(&subject), Some("acme"));
    assert_eq!(names().subject_tenant(&subject), Some("acme"));
    assert_eq!(names().subject_tenant("t-42.events.acme.x.y"), Some("acme"));
    assert_eq!(names().parse_ops_subject("t-42.ops."), None);
    assert_eq!(names().parse_ops_subject("t-42.ops.acme.more"), None);
    assert_eq!(names().parse_ops_subject("t-42.events.acme.x.y"), None);
}
