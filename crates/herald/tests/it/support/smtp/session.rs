//! One SMTP conversation, command by command, answering as the test scripted.

use super::*;

/// One SMTP connection.
pub(super) struct Session {
    stream: BufReader<TcpStream>,
    shared: Arc<Shared>,
    greeted: bool,
    authenticated: bool,
    /// The open mail transaction: its scripted answer, sender and recipients.
    transaction: Option<(SmtpReply, String, Vec<String>)>,
}

impl Session {
    pub(super) fn new(stream: TcpStream, shared: Arc<Shared>) -> Self {
        Self {
            stream: BufReader::new(stream),
            shared,
            greeted: false,
            authenticated: false,
            transaction: None,
        }
    }

    pub(super) async fn run(mut self) -> io::Result<()> {
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
