use super::*;

#[test]
fn quantiles_take_the_nearest_rank() {
    let mut values: Vec<u64> = (1..=100).rev().collect();
    assert_eq!(quantile(&mut values, 0.5), Some(50));
    assert_eq!(quantile(&mut values, 0.99), Some(99));
    assert_eq!(quantile(&mut values, 1.0), Some(100));
    assert_eq!(quantile(&mut [7], 0.99), Some(7));
    assert_eq!(quantile(&mut [], 0.5), None);
}

#[test]
fn growth_compares_the_medians_of_the_first_and_last_thirds() {
    let flat = [50.0, 60.0, 61.0, 60.0, 62.0, 61.0, 60.0, 63.0, 61.0];
    let growth = Growth::of(&flat).unwrap();
    assert_eq!((growth.first, growth.last), (60.0, 61.0));
    assert!(growth.is_flat());

    let leaking = [50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0];
    let growth = Growth::of(&leaking).unwrap();
    assert_eq!((growth.first, growth.last), (55.0, 85.0));
    assert!((growth.percent - 54.5).abs() < 0.1);
    assert!(!growth.is_flat());

    assert_eq!(Growth::of(&[1.0, 2.0]), None);
}
