use herald_channels::Pace;

use super::*;

fn key(name: &str, count: u32, per_ms: u64) -> PaceKey {
    PaceKey {
        key: name.to_owned(),
        pace: Pace {
            count,
            per: Duration::from_millis(per_ms),
        },
        platform: true,
    }
}

const FAR: Duration = Duration::from_secs(60);

#[test]
fn a_burst_goes_at_once_and_the_next_when_the_window_allows() {
    let pacer = Pacer::default();
    let discord = [key("discord", 5, 2000)];
    let now = Instant::now();
    for _ in 0..5 {
        assert_eq!(pacer.reserve(&discord, now, FAR), Reservation::Now);
    }
    for _ in 0..5 {
        assert_eq!(
            pacer.reserve(&discord, now, FAR),
            Reservation::Wait(Duration::from_secs(2))
        );
    }
    assert_eq!(
        pacer.reserve(&discord, now, FAR),
        Reservation::Wait(Duration::from_secs(4))
    );
}

#[test]
fn two_hundred_turns_never_exceed_five_in_any_two_seconds() {
    let pacer = Pacer::default();
    let discord = [key("discord", 5, 2000)];
    let start = Instant::now();
    let turns: Vec<Duration> = (0..200)
        .map(|_| match pacer.reserve(&discord, start, FAR * 2) {
            Reservation::Now => Duration::ZERO,
            Reservation::Wait(wait) => wait,
            Reservation::Later(wait) => panic!("within two minutes: {wait:?}"),
        })
        .collect();
    for (i, at) in turns.iter().enumerate() {
        let in_window = turns[i..]
            .iter()
            .take_while(|t| **t < *at + Duration::from_secs(2))
            .count();
        assert!(in_window <= 5, "{in_window} turns in 2 s from {at:?}");
    }
}

#[test]
fn the_lower_of_two_paces_wins_and_other_destinations_are_not_slowed() {
    let pacer = Pacer::default();
    let now = Instant::now();
    let both = [key("teams", 4, 1000), key("sub", 2, 1000)];
    assert_eq!(pacer.reserve(&both, now, FAR), Reservation::Now);
    assert_eq!(pacer.reserve(&both, now, FAR), Reservation::Now);
    assert_eq!(
        pacer.reserve(&both, now, FAR),
        Reservation::Wait(Duration::from_secs(1)),
        "the subscription's 2 a second, not Teams' 4"
    );
    assert_eq!(
        pacer.reserve(&[key("other", 1, 1000)], now, FAR),
        Reservation::Now
    );
}

#[test]
fn a_turn_too_far_ahead_is_not_reserved() {
    let pacer = Pacer::default();
    let slack = [key("slack", 1, 1000)];
    let now = Instant::now();
    assert_eq!(pacer.reserve(&slack, now, FAR), Reservation::Now);
    assert_eq!(
        pacer.reserve(&slack, now, Duration::from_millis(500)),
        Reservation::Later(Duration::from_secs(1))
    );
    assert_eq!(
        pacer.reserve(&slack, now, FAR),
        Reservation::Wait(Duration::from_secs(1)),
        "the refused one took nothing"
    );
}

#[test]
fn the_platforms_word_holds_the_bucket() {
    let pacer = Pacer::default();
    let discord = [key("discord", 5, 2000)];
    let now = Instant::now();
    pacer.hold("discord", now + Duration::from_millis(1200));
    assert_eq!(
        pacer.reserve(&discord, now, FAR),
        Reservation::Wait(Duration::from_millis(1200))
    );
}
