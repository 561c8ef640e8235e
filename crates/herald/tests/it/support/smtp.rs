//! A local SMTP server standing in for a mail relay: it speaks enough of RFC 5321 for lettre
//! (EHLO with capabilities, AUTH PLAIN / LOGIN, pipelined commands, DATA with dot-stuffing),
//! refuses what a real relay refuses (MAIL before EHLO or before AUTH, DATA without a
//! recipient), records what it accepted, and answers each mail from a script.
//!
//! No TLS: `rcgen` is not in the dependency tree (and `tokio-rustls` only as a transitive
//! dependency), so `starttls` only advertises STARTTLS and then refuses it (454), as a relay
//! with a broken certificate setup does. That is enough to check a client never falls back to
//! plaintext (see `commands`).

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

const HOSTNAME: &str = "smtp.herald.test";

/// How the server answers one mail transaction (MAIL FROM to end of DATA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpReply {
    /// `250` at the end of DATA: the mail is recorded.
    Accept,
    /// `451 4.3.0` at the end of DATA; not recorded.
    TempFail,
    /// `550 5.1.1` to every RCPT TO (so DATA gets `554`); not recorded.
    PermFail,
    /// Reads the DATA, then closes the connection without answering; not recorded.
    Drop,
    /// Waits this long, then records the mail and answers `250` to the end of DATA. A client
    /// that gave up before has its mail recorded anyway, as a relay would deliver it.
    Stall(Duration),
}

#[derive(Debug, Clone, Default)]
pub struct SmtpBehaviour {
    /// Advertise STARTTLS. The server cannot do TLS (see the module docs): it answers the
    /// STARTTLS command with `454 4.7.0`. When false, STARTTLS is neither advertised nor accepted.
    pub starttls: bool,
    /// (user, password): advertise `AUTH PLAIN LOGIN` and refuse MAIL FROM until authenticated.
    pub credentials: Option<(String, String)>,
}

/// A mail the server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender, without the angle brackets (empty for the null sender `<>`).
    pub from: String,
    /// The envelope recipients, without the angle brackets.
    pub rcpts: Vec<String>,
    /// The message as sent, dot-stuffing undone, CRLF line endings kept.
    pub data: String,
    /// The top-level headers in order, unfolded, values as sent (RFC 2047 words not decoded).
    pub headers: Vec<(String, String)>,
}

impl ReceivedMail {
    /// The first header called `name` (any case), as sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The first header called `name` with its RFC 2047 encoded words decoded (e.g. Subject).
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        self.header(name).map(decode_encoded_words)
    }

    /// The first text/plain part (or the body of a text/plain mail), decoded, `\n` line endings.
    pub fn text_plain(&self) -> Option<String> {
        self.part("text/plain")
    }

    /// The first text/html part (or the body of a text/html mail), decoded, `\n` line endings.
    pub fn text_html(&self) -> Option<String> {
        self.part("text/html")
    }

    fn part(&self, media_type: &str) -> Option<String> {
        // Every part is parsed the same way, so one line ending keeps the splitting simple.
        let data = self.data.replace("\r\n", "\n");
        let (headers, body) = split_entity(&data);
        find_part(&headers, body, media_type)
    }
}

#[derive(Default)]
struct Log {
    received: Vec<ReceivedMail>,
    script: VecDeque<SmtpReply>,
    connections: usize,
    commands: Vec<String>,
}

struct Shared {
    behaviour: SmtpBehaviour,
    log: Mutex<Log>,
}

pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl SmtpServer {
    /// Listens on 127.0.0.1 on a free port; stops (closing every connection) when dropped.
    pub async fn start(behaviour: SmtpBehaviour) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared {
            behaviour,
            log: Mutex::default(),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpServer {
            port,
            shared,
            accept,
        }
    }

    /// The mails accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.log.lock().unwrap().received.clone()
    }

    /// Waits until at least `count` mails were accepted.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<ReceivedMail> {
        super::eventually(
            within,
            &format!("{count} mails at the SMTP server"),
            || async {
                let received = self.received();
                (received.len() >= count).then_some(received)
            },
        )
        .await
    }

    /// The next mail transactions get these answers, in order; then every mail is accepted.
    /// A transaction takes its answer at MAIL FROM, so one RSET after it still uses one up.
    pub fn script(&self, replies: impl IntoIterator<Item = SmtpReply>) {
        self.shared.log.lock().unwrap().script.extend(replies);
    }

    /// How many TCP connections were opened so far.
    pub fn connections(&self) -> usize {
        self.shared.log.lock().unwrap().connections
    }

    /// Every line received outside DATA, in order, across connections (AUTH answers included).
    pub fn commands(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().commands.clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // The accept task owns the sessions: aborting it closes them too.
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        shared.log.lock().unwrap().connections += 1;
        while sessions.try_join_next().is_some() {}
        let shared = shared.clone();
        // A client hanging up mid-session is the client's business, not a test failure.
        sessions.spawn(async move {
            let _ = Session::new(stream, shared).run().await;
        });
    }
}

/// One SMTP connection.
struct Session {
    stream: BufReader<TcpStream>,
    shared: Arc<Shared>,
    greeted: bool,
    authenticated: bool,
    /// The open mail transaction: its scripted answer, sender and recipients.
    transaction: Option<(SmtpReply, String, Vec<String>)>,
}

impl Session {
    fn new(stream: TcpStream, shared: Arc<Shared>) -> Self {
        Self {
            stream: BufReader::new(stream),
            shared,
            greeted: false,
            authenticated: false,
            transaction: None,
        }
    }

    async fn run(mut self) -> io::Result<()> {
        self.send(&format!("220 {HOSTNAME} ESMTP Herald test server"))
            .await?;
        while let Some(line) = self.read_command().await? {
            let (verb, argument) = line.split_once(' ').unwrap_or((line.as_str(), ""));
            let argument = argument.trim();
            match verb.to_ascii_uppercase().as_str() {
                "EHLO" | "HELO" if argument.is_empty() => {
                    self.send("501 5.5.4 Syntax: EHLO hostname").await?;
                }
                "EHLO" => {
                    self.greeted = true;
                    self.transaction = None;
                    let reply = self.capabilities(argument);
                    self.send(&reply).await?;
                }
                "HELO" => {
                    self.greeted = true;
                    self.transaction = None;
                    self.send(&format!("250 {HOSTNAME}")).await?;
                }
                "AUTH" => self.auth(argument).await?,
                "STARTTLS" if self.shared.behaviour.starttls => {
                    self.send("454 4.7.0 TLS not available").await?;
                }
                "MAIL" => self.mail(argument).await?,
                "RCPT" => self.rcpt(argument).await?,
                "DATA" => {
                    if !self.data().await? {
                        return Ok(());
                    }
                }
                "RSET" => {
                    self.transaction = None;
                    self.send("250 2.0.0 Ok").await?;
                }
                "NOOP" => self.send("250 2.0.0 Ok").await?,
                "QUIT" => return self.send("221 2.0.0 Bye").await,
                _ => self.send("502 5.5.1 Command not implemented").await?,
            }
        }
        Ok(())
    }

    fn capabilities(&self, client: &str) -> String {
        let mut lines = vec![
            format!("{HOSTNAME} greets {client}"),
            "PIPELINING".into(),
            "8BITMIME".into(),
            "SMTPUTF8".into(),
        ];
        if self.shared.behaviour.credentials.is_some() {
            lines.push("AUTH PLAIN LOGIN".into());
        }
        if self.shared.behaviour.starttls {
            lines.push("STARTTLS".into());
        }
        let last = lines.len() - 1;
        lines
            .iter()
            .enumerate()
            .map(|(i, line)| format!("250{}{line}", if i == last { ' ' } else { '-' }))
            .collect::<Vec<_>>()
            .join("\r\n")
    }

    async fn auth(&mut self, argument: &str) -> io::Result<()> {
        let Some((user, password)) = self.shared.behaviour.credentials.clone() else {
            return self.send("503 5.5.1 Authentication not enabled").await;
        };
        if self.authenticated {
            return self.send("503 5.5.1 Already authenticated").await;
        }
        if self.transaction.is_some() {
            return self.send("503 5.5.1 Mail transaction in progress").await;
        }
        let (mechanism, initial) = argument.split_once(' ').unwrap_or((argument, ""));
        let given = match mechanism.to_ascii_uppercase().as_str() {
            "PLAIN" => {
                let response = match initial {
                    "" => self.challenge("").await?,
                    initial => Some(initial.to_owned()),
                };
                // authzid NUL authcid NUL password (RFC 4616).
                response.and_then(|r| decode_base64(&r)).map(|decoded| {
                    let mut fields = decoded.splitn(3, '\0').skip(1);
                    let user = fields.next().unwrap_or_default().to_owned();
                    (user, fields.next().unwrap_or_default().to_owned())
                })
            }
            "LOGIN" => {
                let user = match initial {
                    "" => self.challenge("Username:").await?,
                    initial => Some(initial.to_owned()),
                };
                let password = match user {
                    Some(_) => self.challenge("Password:").await?,
                    None => None,
                };
                user.zip(password)
                    .and_then(|(u, p)| Some((decode_base64(&u)?, decode_base64(&p)?)))
            }
            _ => {
                return self
                    .send("504 5.5.4 Unrecognized authentication type")
                    .await;
            }
        };
        match given {
            Some(given) if given == (user, password) => {
                self.authenticated = true;
                self.send("235 2.7.0 Authentication successful").await
            }
            Some(_) => {
                self.send("535 5.7.8 Authentication credentials invalid")
                    .await
            }
            None => {
                self.send("501 5.5.2 Authentication cancelled or malformed")
                    .await
            }
        }
    }

    /// Sends a 334 challenge and returns the client's answer, or None if it cancelled with `*`.
    async fn challenge(&mut self, prompt: &str) -> io::Result<Option<String>> {
        self.send(&format!("334 {}", BASE64.encode(prompt))).await?;
        let answer = self
            .read_command()
            .await?
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        Ok((answer != "*").then_some(answer))
    }

    async fn mail(&mut self, argument: &str) -> io::Result<()> {
        if !self.greeted {
            return self.send("503 5.5.1 Send EHLO first").await;
        }
        if self.shared.behaviour.credentials.is_some() && !self.authenticated {
            return self.send("530 5.7.0 Authentication required").await;
        }
        if self.transaction.is_some() {
            return self.send("503 5.5.1 Nested MAIL command").await;
        }
        let Some(from) = path_after(argument, "FROM:") else {
            return self.send("501 5.5.4 Syntax: MAIL FROM:<address>").await;
        };
        let reply = {
            let mut log = self.shared.log.lock().unwrap();
            log.script.pop_front().unwrap_or(SmtpReply::Accept)
        };
        self.transaction = Some((reply, from, Vec::new()));
        self.send("250 2.1.0 Ok").await
    }

    async fn rcpt(&mut self, argument: &str) -> io::Result<()> {
        let Some((reply, _, rcpts)) = self.transaction.as_mut() else {
            return self.send("503 5.5.1 Need MAIL command").await;
        };
        let Some(rcpt) = path_after(argument, "TO:") else {
            return self.send("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        if *reply == SmtpReply::PermFail {
            let answer = format!("550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown");
            return self.send(&answer).await;
        }
        rcpts.push(rcpt);
        self.send("250 2.1.5 Ok").await
    }

    /// Runs DATA; false when the connection is to be closed.
    async fn data(&mut self) -> io::Result<bool> {
        let Some((reply, from, rcpts)) = self.transaction.take() else {
            self.send("503 5.5.1 Need MAIL command").await?;
            return Ok(true);
        };
        if rcpts.is_empty() {
            self.send("554 5.5.1 No valid recipients").await?;
            return Ok(true);
        }
        self.send("354 End data with <CR><LF>.<CR><LF>").await?;
        let mut data = Vec::new();
        loop {
            let mut line = Vec::new();
            if self.stream.read_until(b'\n', &mut line).await? == 0 {
                return Ok(false);
            }
            if line == b".\r\n" || line == b".\n" {
                break;
            }
            // Dot-stuffing (RFC 5321 4.5.2): the client doubled every leading dot.
            let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
            data.extend_from_slice(unstuffed);
        }
        let data = String::from_utf8_lossy(&data).into_owned();
        let (headers, _) = split_entity(&data.replace("\r\n", "\n"));
        let mail = ReceivedMail {
            from,
            rcpts,
            data,
            headers,
        };
        match reply {
            // PermFail never gets here: its transaction has no recipient.
            SmtpReply::Accept | SmtpReply::PermFail => {}
            SmtpReply::TempFail => {
                self.send("451 4.3.0 Temporary failure, try again later")
                    .await?;
                return Ok(true);
            }
            SmtpReply::Drop => return Ok(false),
            SmtpReply::Stall(delay) => tokio::time::sleep(delay).await,
        }
        // Recorded before answering, as a relay queues it: a client that gave up waiting
        // still gets its mail delivered.
        let count = {
            let mut log = self.shared.log.lock().unwrap();
            log.received.push(mail);
            log.received.len()
        };
        self.send(&format!("250 2.0.0 Ok: queued as {count}"))
            .await?;
        Ok(true)
    }

    /// The next line, without its line ending, logged; None at end of stream.
    async fn read_command(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        if self.stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        self.shared.log.lock().unwrap().commands.push(line.clone());
        Ok(Some(line))
    }

    async fn send(&mut self, reply: &str) -> io::Result<()> {
        let stream = self.stream.get_mut();
        stream.write_all(format!("{reply}\r\n").as_bytes()).await?;
        stream.flush().await
    }
}

/// The address of `FROM:<a@b> PARAMS` or `TO:<a@b>`, without brackets; None if malformed.
fn path_after(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let path = argument[keyword.len()..].trim_start();
    let path = path.strip_prefix('<')?;
    Some(path[..path.find('>')?].to_owned())
}

fn decode_base64(text: &str) -> Option<String> {
    String::from_utf8(BASE64.decode(text.trim()).ok()?).ok()
}

fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Splits an entity (with `\n` line endings) into its unfolded headers and its body.
fn split_entity(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match entity.strip_prefix('\n') {
        Some(body) => ("", body),
        None => entity.split_once("\n\n").unwrap_or((entity, "")),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        match headers.last_mut() {
            // A folded line continues the previous header (RFC 5322 2.2.3).
            Some((_, value)) if line.starts_with([' ', '\t']) => value.push_str(line),
            _ => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.to_owned()));
                }
            }
        }
    }
    for (_, value) in &mut headers {
        *value = value.trim().to_owned();
    }
    (headers, body)
}

/// The first part of `media_type` in this entity, searching nested multiparts, decoded.
fn find_part(headers: &[(String, String)], body: &str, media_type: &str) -> Option<String> {
    let content_type = header_in(headers, "Content-Type").unwrap_or("text/plain");
    let (essence, parameters) = content_type.split_once(';').unwrap_or((content_type, ""));
    let essence = essence.trim().to_ascii_lowercase();
    if essence.starts_with("multipart/") {
        let boundary = parameters.split(';').find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"'))
        })?;
        let delimiter = format!("--{boundary}");
        let mut parts: Vec<Vec<&str>> = Vec::new();
        for line in body.split('\n') {
            let line_trimmed = line.trim_end();
            if line_trimmed == format!("{delimiter}--") {
                break;
            }
            if line_trimmed == delimiter {
                parts.push(Vec::new());
            } else if let Some(part) = parts.last_mut() {
                part.push(line);
            }
        }
        return parts.iter().find_map(|lines| {
            let part = lines.join("\n");
            let (headers, body) = split_entity(&part);
            find_part(&headers, body, media_type)
        });
    }
    if essence != media_type {
        return None;
    }
    let encoding = header_in(headers, "Content-Transfer-Encoding").unwrap_or("7bit");
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            BASE64.decode(compact).expect("a valid base64 body")
        }
        _ => body.as_bytes().to_vec(),
    };
    // The client encoded CRLF line endings; tests compare with `\n` text.
    Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

/// Quoted-printable (RFC 2045 6.7): `=XX` bytes and `=` soft line breaks.
fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let rest = &bytes[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if rest.len() >= 2 && rest[..2].iter().all(u8::is_ascii_hexdigit) {
                let hex = std::str::from_utf8(&rest[..2]).expect("hex digits are ASCII");
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`); other text stays.
fn decode_encoded_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        match encoded_word(candidate) {
            Some((bytes, length)) => {
                // Whitespace between two encoded words is folding, not text (RFC 2047 6.2).
                if !(after_word && before.trim().is_empty()) {
                    out.extend_from_slice(before.as_bytes());
                }
                out.extend(bytes);
                rest = &candidate[length..];
                after_word = true;
            }
            None => {
                out.extend_from_slice(before.as_bytes());
                out.extend_from_slice(b"=?");
                rest = &candidate[2..];
                after_word = false;
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    // Bytes are joined before UTF-8 decoding: an encoder may split a character across words.
    String::from_utf8_lossy(&out).into_owned()
}

/// The bytes of the encoded word `s` starts with, and its length.
fn encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let mut fields = s.strip_prefix("=?")?.splitn(3, '?');
    let charset = fields.next()?;
    let encoding = fields.next()?;
    let tail = fields.next()?;
    let end = tail.find("?=")?;
    let text = &tail[..end];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "b" | "B" => BASE64.decode(text).ok()?,
        "q" | "Q" => decode_quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    Some((bytes, 2 + charset.len() + 1 + encoding.len() + 1 + end + 2))
}
