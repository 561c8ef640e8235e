use super::*;

#[test]
fn only_http_urls_with_a_host() {
    assert!(WebhookUrl::parse("https://hooks.example.com/herald").is_ok());
    assert!(WebhookUrl::parse("http://localhost:8080/x").is_ok());
    for bad in [
        "ftp://example.com/",
        "mailto:a@b.c",
        "https://",
        "/relative",
        "not a url",
    ] {
        assert!(WebhookUrl::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn chat_urls_hide_their_token() {
    let masked = |s| WebhookUrl::parse(s).unwrap().masked_token();
    assert_eq!(
        masked("https://discord.com/api/webhooks/123456789/abcdefTOKEN"),
        "https://discord.com/api/webhooks/12…/****"
    );
    assert_eq!(
        masked("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
        "https://hooks.slack.com/services/T0…/****"
    );
    assert_eq!(
        masked(
            "https://prod.logic.azure.com:8443/workflows/abcdefabcdefabcdef/triggers?sig=SECRET"
        ),
        "https://prod.logic.azure.com:8443/workflows/ab…/****"
    );
    let debug = format!(
        "{:?}",
        WebhookUrl::parse("https://discord.com/api/webhooks/1/SECRET").unwrap()
    );
    assert!(!debug.contains("SECRET"));
}

#[test]
fn generic_urls_keep_their_path_but_not_credentials() {
    let url =
        WebhookUrl::parse("https://user:pw@hooks.example.com/in/herald?token=SECRET&x=1").unwrap();
    let masked = url.masked();
    assert_eq!(
        masked,
        "https://user:****@hooks.example.com/in/herald?token=****&x=****"
    );
}
