package testenv

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
)

// Mail is one message an SMTPSink received.
type Mail struct {
	From string
	To   []string
	Data string // headers and body, dot-unstuffed, CRLF line ends
	TLS  bool   // the message came after STARTTLS
	Auth string // the AUTH PLAIN response, base64, if any
}

// SMTPSink is a minimal SMTP server on 127.0.0.1 for tests: EHLO, optional
// STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It keeps what
// it receives.
type SMTPSink struct {
	Addr string
	// TLS, when set before the first connection, makes the sink offer
	// STARTTLS with this configuration.
	TLS *tls.Config

	ln   net.Listener
	mu   sync.Mutex
	mail []Mail
}

// NewSMTPSink starts a sink that stops when the test ends.
func NewSMTPSink(t testing.TB, tlsConfig *tls.Config) *SMTPSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPSink{Addr: ln.Addr().String(), TLS: tlsConfig, ln: ln}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

// Messages returns what has been received so far.
func (s *SMTPSink) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

func (s *SMTPSink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *SMTPSink) session(c net.Conn) {
	defer func() { c.Close() }()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	reply := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	reply("220 sink ESMTP")
	var cur Mail
	secure := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if s.TLS != nil && !secure {
				reply("250-sink", "250-8BITMIME", "250-STARTTLS", "250 AUTH PLAIN")
			} else {
				reply("250-sink", "250-8BITMIME", "250 AUTH PLAIN")
			}
		case "STARTTLS":
			if s.TLS == nil || secure {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, secure = tc, true
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			cur = Mail{}
		case "AUTH":
			_, resp, _ := strings.Cut(arg, " ")
			cur.Auth = resp
			reply("235 ok")
		case "MAIL":
			cur.From = angle(arg)
			reply("250 ok")
		case "RCPT":
			cur.To = append(cur.To, angle(arg))
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data, cur.TLS = b.String(), secure
			s.mu.Lock()
			s.mail = append(s.mail, cur)
			s.mu.Unlock()
			cur = Mail{}
			reply("250 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 unknown")
		}
	}
}

// angle returns the address in <…> of a MAIL FROM or RCPT TO argument.
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
