//! `application/protobuf` events: any bytes go through the decoder and the conversion to
//! JSON without a panic, and a valid `herald.v1.Event` keeps its values.

use herald_proto::v1;
use proptest::prelude::*;
use prost::Message;
use serde_json::json;

use crate::events::{check_answer, check_round_trip, parse, received_at};
use crate::support::within;

const PROTOBUF: Option<&str> = Some("application/protobuf");

fn timestamp() -> impl Strategy<Value = prost_types::Timestamp> {
    prop_oneof![
        // Valid: years 1 to 9999, as the proto3 JSON mapping allows.
        3 => (-62_135_596_800i64..253_402_300_799, 0i32..1_000_000_000)
            .prop_map(|(seconds, nanos)| prost_types::Timestamp { seconds, nanos }),
        // Out of range on either side, and negative nanos.
        1 => (any::<i64>(), any::<i32>())
            .prop_map(|(seconds, nanos)| prost_types::Timestamp { seconds, nanos }),
    ]
}

fn struct_value() -> impl Strategy<Value = prost_types::Value> {
    use prost_types::value::Kind;
    let leaf = prop_oneof![
        Just(Kind::NullValue(0)),
        any::<i32>().prop_map(Kind::NullValue),
        any::<f64>().prop_map(Kind::NumberValue),
        "\\PC{0,16}|\\x00".prop_map(Kind::StringValue),
        any::<bool>().prop_map(Kind::BoolValue),
    ];
    let kind = leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| {
                Kind::ListValue(prost_types::ListValue {
                    values: items
                        .into_iter()
                        .map(|k| prost_types::Value { kind: Some(k) })
                        .collect(),
                })
            }),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4).prop_map(|fields| {
                Kind::StructValue(prost_types::Struct {
                    fields: fields
                        .into_iter()
                        .map(|(k, v)| (k, prost_types::Value { kind: Some(v) }))
                        .collect(),
                })
            }),
        ]
    });
    prop::option::of(kind).prop_map(|kind| prost_types::Value { kind })
}

fn data() -> impl Strategy<Value = Option<v1::event::Data>> {
    use v1::event::Data;
    prop_oneof![
        Just(None),
        (
            prop::option::of("\\PC{0,20}"),
            prop::option::of(any::<u64>()),
            prop::option::of(timestamp()),
            prop::collection::hash_map("\\PC{0,8}", "\\PC{0,8}", 0..3),
        )
            .prop_map(|(transfer_id, bytes, started_at, labels)| {
                Some(Data::Transfer(v1::TransferData {
                    transfer_id,
                    bytes_transferred: bytes,
                    started_at,
                    labels,
                    ..Default::default()
                }))
            }),
        (
            prop::option::of("\\PC{0,20}"),
            prop::collection::vec("\\PC{0,8}", 0..3)
        )
            .prop_map(|(job_id, databases)| Some(Data::Backup(v1::BackupData {
                job_id,
                databases,
                ..Default::default()
            }))),
        prop::collection::btree_map("\\PC{0,8}", struct_value(), 0..4).prop_map(|fields| {
            Some(Data::Custom(prost_types::Struct {
                fields: fields.into_iter().collect(),
            }))
        }),
    ]
}

fn event() -> impl Strategy<Value = v1::Event> {
    (
        prop_oneof![3 => Just("1.0".to_owned()), 1 => "\\PC{0,4}"],
        "\\PC{0,130}",
        "\\PC{0,20}",
        prop_oneof![
            Just("transfer.failed".to_owned()),
            Just("backup.failed".to_owned()),
            Just("deploy.finished".to_owned()),
            "\\PC{0,20}",
        ],
        prop::option::of(timestamp()),
        "\\PC{0,20}",
        prop_oneof![Just(String::new()), Just("acme".to_owned()), "\\PC{0,8}"],
        data(),
    )
        .prop_map(
            |(specversion, id, source, r#type, time, subject, tenant, data)| v1::Event {
                specversion,
                id,
                source,
                r#type,
                time,
                subject,
                tenant,
                data,
            },
        )
}

fn answer(body: Vec<u8>, subject_type: String) {
    let answer = within("parse_event", {
        let subject_type = subject_type.clone();
        move || parse(&body, PROTOBUF, &subject_type)
    });
    check_answer(&answer, &subject_type);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_are_answered(body in prop::collection::vec(any::<u8>(), 0..512)) {
        answer(body, "transfer.failed".to_owned());
    }

    #[test]
    fn any_event_message_is_answered(event in event()) {
        let subject_type = event.r#type.clone();
        answer(event.encode_to_vec(), subject_type);
    }

    #[test]
    fn a_damaged_event_message_is_answered(
        event in event(),
        at in any::<prop::sample::Index>(),
        insert in prop::collection::vec(any::<u8>(), 0..6),
        truncate in any::<bool>(),
    ) {
        let subject_type = event.r#type.clone();
        let mut body = event.encode_to_vec();
        let at = at.index(body.len() + 1);
        if truncate {
            body.truncate(at);
        }
        body.splice(at.min(body.len())..at.min(body.len()), insert);
        answer(body, subject_type);
    }

    #[test]
    fn a_valid_transfer_message_keeps_its_values(
        id in "[^\\x00]{1,128}",
        transfer_id in "[^\\x00]{1,20}",
        bytes in any::<u64>(),
        labels in prop::collection::hash_map("[a-z]{1,8}", "\\PC{0,8}", 0..3),
    ) {
        let event = v1::Event {
            specversion: "1.0".into(),
            id: id.clone(),
            source: "src".into(),
            r#type: "transfer.completed".into(),
            data: Some(v1::event::Data::Transfer(v1::TransferData {
                transfer_id: Some(transfer_id.clone()),
                bytes_transferred: Some(bytes),
                labels: labels.clone(),
                ..Default::default()
            })),
            ..Default::default()
        };
        let body = event.encode_to_vec();
        let parsed = within("parse_event", move || parse(&body, PROTOBUF, "transfer.completed"))
            .unwrap_or_else(|r| panic!("a valid message was rejected: {r}"));
        prop_assert_eq!(&parsed.id, &id);
        prop_assert_eq!(parsed.time, received_at());
        prop_assert_eq!(&parsed.data["transfer_id"], &json!(transfer_id));
        // A zero is proto3's default and is not written out.
        if bytes != 0 {
            prop_assert_eq!(&parsed.data["bytes_transferred"], &json!(bytes));
        }
        if !labels.is_empty() {
            prop_assert_eq!(&parsed.data["labels"], &json!(labels));
        }
        check_round_trip(&parsed);
    }

}

proptest! {
    // Encoding a deep message costs depth² in prost; fewer cases cover the same depths.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn deeply_nested_custom_data_is_answered(depth in 1usize..300) {
        use prost_types::value::Kind;
        let mut value = prost_types::Value { kind: Some(Kind::BoolValue(true)) };
        for _ in 0..depth {
            value = prost_types::Value {
                kind: Some(Kind::StructValue(prost_types::Struct {
                    fields: [("a".to_owned(), value)].into(),
                })),
            };
        }
        let event = v1::Event {
            specversion: "1.0".into(),
            id: "deep".into(),
            source: "src".into(),
            r#type: "deploy.finished".into(),
            data: Some(v1::event::Data::Custom(prost_types::Struct {
                fields: [("a".to_owned(), value)].into(),
            })),
            ..Default::default()
        };
        answer(event.encode_to_vec(), "deploy.finished".to_owned());
    }
}
