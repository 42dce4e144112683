//! The SAM template's table must match the code's table definition (`shared::store::table`), so
//! what is deployed is what the code and the tests use.

use std::collections::BTreeSet;

use serde_yaml::Value;
use shared::store::keys::{PK, SK, TTL as TTL_ATTRIBUTE};
use shared::store::table::{INDEXES, key_attributes};

fn table_properties() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let template: Value = serde_yaml::from_str(&text).unwrap();
    template["Resources"]["LendingTable"]["Properties"].clone()
}

fn key_schema(schema: &Value) -> Vec<(String, String)> {
    schema
        .as_sequence()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().unwrap().to_owned(),
                k["KeyType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn expected_schema(partition: &str, sort: Option<&str>) -> Vec<(String, String)> {
    let mut schema = vec![(partition.to_owned(), "HASH".to_owned())];
    schema.extend(sort.map(|s| (s.to_owned(), "RANGE".to_owned())));
    schema
}

#[test]
fn template_table_matches_the_code_definition() {
    let table = table_properties();

    assert_eq!(
        key_schema(&table["KeySchema"]),
        expected_schema(PK, Some(SK))
    );
    let defined: BTreeSet<(String, String)> = table["AttributeDefinitions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["AttributeName"].as_str().unwrap().to_owned(),
                a["AttributeType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = key_attributes()
        .into_iter()
        .map(|a| (a.to_owned(), "S".to_owned()))
        .collect();
    assert_eq!(defined, expected, "attribute definitions");

    let indexes = table["GlobalSecondaryIndexes"].as_sequence().unwrap();
    assert_eq!(indexes.len(), INDEXES.len(), "number of GSIs");
    for (declared, index) in indexes.iter().zip(INDEXES) {
        assert_eq!(declared["IndexName"].as_str(), Some(index.name));
        assert_eq!(
            key_schema(&declared["KeySchema"]),
            expected_schema(index.partition_key, index.sort_key),
            "{}",
            index.name
        );
        assert_eq!(
            declared["Projection"]["ProjectionType"].as_str(),
            Some("ALL"),
            "{}",
            index.name
        );
    }

    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some(TTL_ATTRIBUTE)
    );
    assert_eq!(
        table["TimeToLiveSpecification"]["Enabled"].as_bool(),
        Some(true)
    );
    assert_eq!(table["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(table["DeletionProtectionEnabled"].as_bool(), Some(true));
}
