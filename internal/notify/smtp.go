package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTP sends e-mail through one server, with STARTTLS whenever the server
// offers it and AUTH PLAIN when a username is set.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLSConfig is used for STARTTLS; nil verifies the server's name.
	TLSConfig *tls.Config
	Timeout   time.Duration
	// RequireTLS refuses to send (or to authenticate) over a server that
	// does not offer STARTTLS.
	RequireTLS bool
}

// Configured reports whether a server and sender are set.
func (s *SMTP) Configured() bool { return s != nil && s.Host != "" && s.From != "" }

// String describes the configuration without the password.
func (s *SMTP) String() string {
	if !s.Configured() {
		return "smtp: not configured"
	}
	return fmt.Sprintf("smtp://%s@%s:%d from %s", s.Username, s.Host, s.Port, s.From)
}

// Send delivers m to the address m.Target.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if !s.Configured() {
		return errors.New("notify: e-mail is not configured (--smtp-host, --smtp-from)")
	}
	port := s.Port
	if port == 0 {
		port = 25
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.Host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("notify: smtp dial: %w", err)
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: smtp: %w", err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return fmt.Errorf("notify: smtp hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("notify: smtp starttls: %w", err)
		}
	} else if s.RequireTLS {
		return errors.New("notify: smtp server does not offer STARTTLS")
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); ok {
			// PlainAuth itself refuses to send the password in clear to
			// anything but localhost.
			if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
				return fmt.Errorf("notify: smtp auth: %w", err)
			}
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("notify: smtp mail from: %w", err)
	}
	if err := c.Rcpt(m.Target); err != nil {
		return fmt.Errorf("notify: smtp rcpt %s: %w", m.Target, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: smtp data: %w", err)
	}
	if _, err := w.Write(composeMail(s.From, m, time.Now())); err != nil {
		return fmt.Errorf("notify: smtp data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: smtp data: %w", err)
	}
	return c.Quit()
}

func helloName() string {
	return "luoshi.localhost"
}

// composeMail builds a UTF-8 plain-text message with an encoded subject.
func composeMail(from string, m Message, now time.Time) []byte {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\n")
	b.WriteString("To: " + m.Target + "\r\n")
	b.WriteString("Subject: " + mime.BEncoding.Encode("utf-8", m.Subject) + "\r\n")
	b.WriteString("Date: " + now.Format(time.RFC1123Z) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n\r\n")
	body := m.Body
	if m.Link != "" {
		body += "\n\n" + m.Link
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}
