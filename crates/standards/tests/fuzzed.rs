//! Inputs the fuzz targets (`fuzz/`, docs/fuzzing.md) found wrong, kept here so that
//! `cargo test` catches them again without the fuzzer. Each test names the target and
//! asserts the property it checked.

use regula_standards::catalog::Catalog;
use regula_standards::court::CourtConfig;
use regula_standards::request::ActionRequest;
use regula_standards::schema::fields::action_fields;
use regula_standards::schema::payload::from_pairs;

fn config() -> CourtConfig {
    CourtConfig::from_catalog(&Catalog::builtin().expect("the built-in catalog loads"))
}

/// `action_request`: a request's `at` of `-4046-03-20` was read as a date (chrono's
/// `%Y` takes a sign and any number of digits), giving a time whose RFC 3339 text
/// reads back as nothing. A date is four digits of year, two of month and of day.
#[test]
fn a_time_s_date_has_four_digits_of_year() {
    let body = br#"{"action": "open_consultation", "payload": {"draft": {"text": "x"}}, "at": "-4046-03-20"}"#;
    let request = ActionRequest::from_json(body).unwrap();
    let config = config();
    assert_eq!(config.parse_time(request.at.as_deref().unwrap()), None);
    for text in [
        "+2023-03-01",
        "12023-03-01",
        "2023-3-01",
        "2023-03-1",
        " 2023-03-01",
        "2023-02-30",
    ] {
        assert_eq!(config.parse_time(text), None, "{text:?}");
    }
    // What is read is one instant, written back and read again unchanged.
    let time = config.parse_time("2023-03-01").unwrap();
    assert_eq!(time.to_rfc3339(), "2023-03-01T01:00:00+00:00");
    assert_eq!(config.parse_time(&time.to_rfc3339()), Some(time));
    assert_eq!(
        config.parse_time("0001-01-01").map(|t| t.to_rfc3339()).as_deref(),
        Some("0001-01-01T01:00:00+00:00")
    );
}

/// The same date rule for a payload's date field (`regula do … date=`), so that no
/// record holds a date that a time could not state.
#[test]
fn a_payload_s_date_has_four_digits_of_year() {
    let fields = action_fields("publish").unwrap();
    let pairs = |date: &str| vec!["document_number=红林法〔2023〕15号".to_owned(), format!("date={date}")];
    let e = from_pairs(&pairs("-4046-03-20"), &fields, "publish").unwrap_err();
    assert!(e.to_string().contains("date: \"-4046-03-20\" is not a date"), "{e}");
    assert!(from_pairs(&pairs("+2023-04-28"), &fields, "publish").is_err());
    assert_eq!(
        from_pairs(&pairs("2023-04-28"), &fields, "publish").unwrap()["date"],
        "2023-04-28"
    );
}
