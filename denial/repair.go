package denial

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/internal/lazyre"
)

// Text copied from a terminal, a log viewer or a chat rarely reaches us as
// AWS printed it: log frameworks put a timestamp, a level and a request ID
// before each line, a JSON logger escapes the quotes inside the message,
// a terminal hard-wraps long lines in the middle of an ARN or a word, and
// people paste the message between quotes or brackets. The functions in
// this file undo that before the message is read.

// pasteLine is one line of the paste with its decoration removed.
type pasteLine struct {
	text string
	// hardWrap is true when the line ends where a terminal of fixed
	// width broke it (it is as long as the paste's wrap width and its
	// last character is not a space): the next line continues the same
	// token.
	hardWrap bool
	// prefixed is true when a log prefix (timestamp, level, request ID)
	// was removed: such a line starts a new log record, unless the text
	// after the prefix is indented (a logger that prefixes every line of
	// a multi-line record).
	prefixed bool
	indented bool
}

// logPrefix matches one element of a log line's prefix: an ISO 8601 or
// syslog-style timestamp (optionally bracketed), a bracketed or bare
// level, a Lambda request ID, logcat's "PID TID LEVEL TAG :" columns.
var logPrefix = lazyre.New(`^(?:` +
	`\[?\d{4}[-/]\d{2}[-/]\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\]?` + // 2024-05-01T12:00:00.000Z
	`|\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+(?:\s+\d+\s+\d+\s+[VDIWEF]\s+\S+\s*:)?` + // logcat
	`|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2} \d{2}:\d{2}:\d{2}` + // syslog
	`|\[[A-Za-z]{1,8}\]` + // [ERROR], [error], [WARN]
	`|##\[(?:error|warning)\]` + // GitHub Actions
	`|(?:ERROR|WARN|WARNING|FATAL|CRITICAL|SEVERE|error|fatal)(?::|\s)` + // bare level
	`|level=(?:error|warn|fatal)` +
	`|fatal error:` + // aws s3 cp
	`|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}` + // Lambda request ID
	`|[a-z]+\[[\w.-]+\]:` + // Heroku's app[web.1]:
	`)`)

// stripLogPrefix removes the log decoration at the start of a line and
// reports whether there was any (Terraform's box characters and quote
// markers do not count: they decorate continuation lines too), and
// whether the text after a log prefix was indented: loggers that prefix
// every line of a multi-line record (Heroku, CloudWatch, logcat) keep
// the record's own indentation after the prefix.
func stripLogPrefix(line string) (text string, prefixed, indented bool) {
	isDecor := func(r rune) bool {
		return r == '│' || r == '╷' || r == '╵' || r == '>' || r == '|'
	}
	for i := 0; i < 8; i++ {
		trimmed := strings.TrimLeftFunc(line, func(r rune) bool { return unicode.IsSpace(r) || isDecor(r) })
		if prefixed {
			// Indentation (or a box character) right after the prefix.
			lead := line[:len(line)-len(trimmed)]
			if strings.Count(lead, " ")+2*strings.Count(lead, "\t") >= 3 || strings.ContainsRune(lead, '│') {
				indented = true
			}
		}
		line = trimmed
		loc := logPrefix().FindStringIndex(line)
		if loc == nil || loc[1] == 0 {
			break
		}
		line = line[loc[1]:]
		prefixed = true
		indented = false
	}
	return line, prefixed, indented
}

// repairLines splits a paste into lines and removes from each what the
// tools between AWS and the user added. JSON-escaped quotes (\" in a log
// line that holds the message as a JSON string) become quotes, escaped
// newlines become line breaks, and a stack trace glued to the message by
// a logger that dropped the newline is put on its own line.
func repairLines(text string) []pasteLine {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.Contains(text, `\"`) {
		text = strings.ReplaceAll(text, `\"`, `"`)
	}
	if strings.Contains(text, `\n`) {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	if strings.Contains(text, `\t`) {
		text = strings.ReplaceAll(text, `\t`, "\t")
	}
	if i := strings.Index(text, "Traceback (most recent call last)"); i > 0 && text[i-1] != '\n' {
		text = text[:i] + "\n" + text[i:]
	}
	raw := strings.Split(text, "\n")
	width := wrapWidth(raw)
	out := make([]pasteLine, 0, len(raw))
	for _, l := range raw {
		hard := width > 0 && utf8.RuneCountInString(l) == width && !unicode.IsSpace(rune(l[len(l)-1]))
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		s, p, ind := stripLogPrefix(l)
		if s == "" {
			continue
		}
		out = append(out, pasteLine{text: s, prefixed: p, indented: ind, hardWrap: hard})
	}
	for i := range out {
		// Two errors of the same length are not a message wrapped at
		// that width: a line that begins an error of its own was not
		// cut from the one before.
		if out[i].hardWrap && (i+1 == len(out) || beginsError(out[i+1].text)) {
			out[i].hardWrap = false
		}
	}
	if len(out) == 1 {
		out[0].text = stripEnclosing(out[0].text)
	} else if len(out) > 1 {
		// Quotes or brackets around the whole paste.
		first, last := out[0].text, out[len(out)-1].text
		if len(first) > 0 && len(last) > 0 {
			if closer, ok := enclosingPairs[first[0]]; ok && last[len(last)-1] == closer {
				out[0].text = first[1:]
				out[len(out)-1].text = last[:len(last)-1]
			}
		}
	}
	return out
}

// beginsError reports whether a line begins with the opening words of an
// error message, which a terminal's wrap does not produce mid-message.
func beginsError(line string) bool {
	for _, p := range []string{"An error occurred (", "User: arn:", "botocore.exceptions.", "Error: "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// wrapWidth finds the width at which a terminal hard-wrapped the paste:
// the length (60 columns or more) that at least two lines have exactly
// and no line exceeds. 0 when there is none.
func wrapWidth(lines []string) int {
	longest, count := 0, 0
	for _, l := range lines {
		n := utf8.RuneCountInString(strings.TrimRight(l, "\r"))
		switch {
		case n > longest:
			longest, count = n, 1
		case n == longest:
			count++
		}
	}
	if longest < 60 || count < 2 {
		return 0
	}
	return longest
}

// enclosingPairs are the quotes and brackets people put around a pasted
// message.
var enclosingPairs = map[byte]byte{'"': '"', '\'': '\'', '`': '`', '(': ')', '[': ']'}

// stripEnclosing removes quotes and brackets around the whole text, as
// long as the opening character is not needed inside (a quoted ARN inside
// a message is kept: the closing quote of the pair must be the last
// character and the opening one must not be closed earlier).
func stripEnclosing(s string) string {
	for range 4 {
		s = strings.TrimSpace(s)
		if len(s) < 2 {
			return s
		}
		closer, ok := enclosingPairs[s[0]]
		if !ok || s[len(s)-1] != closer {
			return s
		}
		inner := s[1 : len(s)-1]
		if s[0] == closer && strings.IndexByte(inner, closer) >= 0 && strings.Count(inner, string(closer))%2 == 1 {
			return s
		}
		if s[0] != closer && strings.IndexByte(inner, closer) >= 0 && strings.IndexByte(inner, closer) < strings.IndexByte(inner+string(s[0]), s[0]) {
			return s
		}
		s = inner
	}
	return s
}

// messageWords are words of AWS's access-denied messages and their
// wrappers. A terminal that wraps at a fixed width may cut one in two; the
// halves are joined when together they form one of these words.
var messageWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`authorized unauthorized perform performing resource resources
		resource-based identity-based because policy policies allows allow explicit explicitly implicit
		denied access accessdenied accessdeniedexception unauthorizedoperation forbidden boundary
		boundaries permissions permission session service control endpoint transitively through
		operation occurred calling error cross-account organization organizations anonymous
		assumed-role encoded authorization failure message associated ciphertext exception
		statuscode requestid request exceeded maximum attempts response`) {
		messageWords[w] = true
	}
}

// joinStopWords start the text after an ARN or an action in a message;
// a line that starts with one of them was not cut inside the token before.
var joinStopWords = map[string]bool{
	"because": true, "with": true, "on": true, "is": true, "are": true, "for": true, "in": true,
	"and": true, "or": true, "to": true, "the": true, "no": true, "status": true, "at": true,
	"an": true, "a": true, "via": true, "transitively": true, "was": true, "has": true,
	"action": true, "user:": true, "user": true, "error": true, "error:": true, "go": true,
	"(service:": true, "encoded": true, "request": true, "it": true, "this": true, "an error": true,
}

// wrapJoin decides how two lines of one message are joined: without a
// space when the line break cut a token (an ARN, an action, a word of the
// message), with one otherwise.
func wrapJoin(prev, next string) string {
	if prev == "" {
		return ""
	}
	lastTok := prev[strings.LastIndexByte(prev, ' ')+1:]
	bare := strings.TrimLeft(lastTok, "\"'([")
	firstTok := next
	if i := strings.IndexByte(next, ' '); i >= 0 {
		firstTok = next[:i]
	}
	lowerFirst := strings.ToLower(strings.TrimRight(firstTok, ".,;:"))
	if joinStopWords[lowerFirst] || joinStopWords[strings.ToLower(firstTok)] {
		return " "
	}
	end := prev[len(prev)-1]
	switch {
	case strings.HasPrefix(bare, "arn:"):
		// Inside an ARN: it ends at a quote, a space or sentence
		// punctuation, none of which the line ends with here.
		if end == '"' || end == '\'' || end == '.' || end == ',' || end == ')' || end == ';' {
			return " "
		}
		if strings.HasPrefix(lastTok, "\"") || strings.HasPrefix(lastTok, "'") || end == ':' || end == '/' ||
			strings.Count(bare, ":") < 5 || firstTok != "" && !startsUpper(firstTok) {
			return ""
		}
		return " "
	case isActionToken(bare) && firstTok != "" && isActionToken(bare+strings.TrimRight(firstTok, ".,;\"'")):
		// "s3:Get" + "Object" is one action cut in two: an action is
		// followed by a space and "on", "because", "with" or the end.
		return ""
	case end == '-' && len(bare) > 1:
		w := strings.ToLower(bare + strings.TrimRight(firstTok, ".,;:"))
		if messageWords[w] {
			return ""
		}
	}
	if isWordFragment(bare) && isWordFragment(strings.TrimRight(firstTok, ".,;:")) {
		w := strings.ToLower(bare + strings.TrimRight(firstTok, ".,;:"))
		if messageWords[w] && !messageWords[strings.ToLower(bare)] {
			return ""
		}
	}
	return " "
}

func startsUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// isWordFragment reports whether s is made of letters only.
func isWordFragment(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}
