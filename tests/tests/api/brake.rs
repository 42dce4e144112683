//! The login brake: per (username, source address) and per address, never a lockout.
//! Requests carry API Gateway's request context with the source address, as Lambda
//! events do.

use api_tests::*;
use http::Method;
use serde_json::json;
use shared::store::logins::{MAX_ADDRESS_FAILURES, MAX_FAILURES};

const PASSWORD: &str = "correct horse battery staple";
const ATTACKER: &str = "203.0.113.66";
const OWNER: &str = "192.0.2.10";

#[tokio::test]
async fn five_failures_from_one_address_brake_that_pair_but_not_the_owner_elsewhere() {
    let app = TestApp::spawn().await;
    create_user(&app, "admin1", PASSWORD, "admin", None).await;
    for _ in 0..MAX_FAILURES {
        login_from(&app, "admin1", "wrong password!", ATTACKER)
            .await
            .assert_problem(401);
    }

    let braked = login_from(&app, "admin1", PASSWORD, ATTACKER).await;
    let owner = login_from(&app, "admin1", PASSWORD, OWNER).await;

    braked.assert_problem(429);
    let retry_after: u64 = braked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(
        owner.status, 200,
        "the right password from elsewhere logs in"
    );
    let other_user = create_user(&app, "admin2", PASSWORD, "admin", None).await;
    assert_eq!(
        login_from(
            &app,
            other_user["username"].as_str().unwrap(),
            PASSWORD,
            ATTACKER
        )
        .await
        .status,
        200,
        "the attacker's address is not braked for other usernames yet"
    );
}

#[tokio::test]
async fn unknown_usernames_are_braked_like_real_ones() {
    let app = TestApp::spawn().await;
    for _ in 0..MAX_FAILURES {
        login_from(&app, "ghost", "whatever password", ATTACKER)
            .await
            .assert_problem(401);
    }
    login_from(&app, "ghost", "whatever password", ATTACKER)
        .await
        .assert_problem(429);
}

#[tokio::test]
async fn a_successful_login_forgives_the_failures_of_its_address() {
    let app = TestApp::spawn().await;
    create_user(&app, "forgetful", PASSWORD, "admin", None).await;
    for _ in 0..2 {
        for _ in 0..MAX_FAILURES - 1 {
            login_from(&app, "forgetful", "wrong password!", OWNER)
                .await
                .assert_problem(401);
        }
        assert_eq!(
            login_from(&app, "forgetful", PASSWORD, OWNER).await.status,
            200
        );
    }
}

#[tokio::test]
async fn an_address_spraying_many_usernames_is_braked_for_every_username() {
    let app = TestApp::spawn().await;
    create_user(&app, "victim", PASSWORD, "admin", None).await;
    for i in 0..MAX_ADDRESS_FAILURES {
        login_from(&app, &format!("user{i}"), "Password123!", ATTACKER)
            .await
            .assert_problem(401);
    }

    let sprayer = login_from(&app, "victim", PASSWORD, ATTACKER).await;
    let owner = login_from(&app, "victim", PASSWORD, OWNER).await;

    sprayer.assert_problem(429);
    assert!(sprayer.header("retry-after").is_some());
    assert_eq!(owner.status, 200, "the owner elsewhere still logs in");
}

#[tokio::test]
async fn a_login_race_at_the_brake_limit_evaluates_at_most_five_passwords() {
    let app = TestApp::spawn().await;
    create_user(&app, "target", PASSWORD, "admin", None).await;

    let attempts =
        (0..2 * MAX_FAILURES).map(|_| login_from(&app, "target", "wrong password!", ATTACKER));
    let responses = futures::future::join_all(attempts).await;

    let refused = responses.iter().filter(|r| r.status == 401).count();
    let braked = responses.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused as u64, MAX_FAILURES, "passwords evaluated");
    assert_eq!(braked as u64, MAX_FAILURES);
}

#[tokio::test]
async fn forwarding_headers_cannot_choose_the_address() {
    let app = TestApp::spawn().await;
    create_user(&app, "admin1", PASSWORD, "admin", None).await;
    let attempt = |n: u64, password: &'static str| {
        app.send(
            request(Method::POST, "/auth/login")
                .json(&json!({"username": "admin1", "password": password}))
                .header("x-forwarded-for", &format!("10.0.0.{n}"))
                .header("x-real-ip", &format!("10.0.1.{n}"))
                .source_ip(ATTACKER),
        )
    };
    for n in 0..MAX_FAILURES {
        attempt(n, "wrong password!").await.assert_problem(401);
    }
    attempt(99, PASSWORD).await.assert_problem(429);
}

#[tokio::test]
async fn failed_and_braked_logins_are_logged_with_username_and_address_never_the_password() {
    let app = TestApp::spawn().await;
    let logs = LogCapture::start();
    for _ in 0..=MAX_FAILURES {
        login_from(&app, "mallory-target", "secret-guess-123", ATTACKER).await;
    }
    let text = logs.text();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("login refused") || l.contains("login braked"))
        .collect();
    assert_eq!(lines.len() as u64, MAX_FAILURES + 1, "{text}");
    for line in lines {
        assert!(
            line.contains("mallory-target") && line.contains(ATTACKER),
            "{line}"
        );
    }
    assert!(
        !text.contains("secret-guess-123"),
        "the password is never logged"
    );
}

#[tokio::test]
async fn a_hash_of_the_earlier_argon2_cost_verifies_and_is_rehashed_at_login() {
    let app = TestApp::spawn().await;
    let user = shared::domain::user::User::new(
        shared::domain::user::Username::parse("veteran").unwrap(),
        shared::auth::Role::Admin,
        None,
        shared::domain::time::Timestamp::now(),
    )
    .unwrap();
    let old = shared::auth::password::hash_with(PASSWORD.as_bytes(), 19 * 1024, 2).unwrap();
    app.store()
        .create_user(&user, &old, &shared::store::idempotency::WriteOnce::fresh())
        .await
        .unwrap();

    assert_eq!(login(&app, "veteran", PASSWORD).await.status, 200);

    let stored = app.store().get_account("veteran").await.unwrap().unwrap();
    assert!(
        stored
            .password_hash
            .starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{}",
        stored.password_hash
    );
    assert_eq!(login(&app, "veteran", PASSWORD).await.status, 200);
    login(&app, "veteran", "not the password!")
        .await
        .assert_problem(401);
}
