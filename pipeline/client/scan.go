package client

// The JSON scanner under chunkDecoder: a validating parser that walks
// objects and arrays by callback and skips the values the decoder ignores.

func (d *chunkDecoder) skipSpace() {
	data, i := d.data, d.pos
	for i < len(data) && data[i] <= ' ' && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	d.pos = i
}

// peek returns the next non-space byte, or 0 at the end of the data.
func (d *chunkDecoder) peek() byte {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// object parses an object at d.pos and calls member for each key with d.pos
// at the start of the key's value. Member must consume exactly that value,
// and the key slice is valid only during the call.
func (d *chunkDecoder) object(member func(key []byte) error) error {
	if d.peek() != '{' {
		return errInvalidJSON
	}
	d.pos++
	if d.depth++; d.depth > maxJSONDepth {
		return errInvalidJSON
	}
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return errInvalidJSON
		}
		raw, escaped, err := d.scanString()
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			d.key = appendUnescaped(d.key[:0], raw)
			key = d.key
		}
		if d.peek() != ':' {
			return errInvalidJSON
		}
		d.pos++
		d.skipSpace()
		if err := member(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return errInvalidJSON
		}
	}
}

// array parses an array at d.pos and calls element with d.pos at the start
// of each element; element must consume exactly that value.
func (d *chunkDecoder) array(element func() error) error {
	if d.peek() != '[' {
		return errInvalidJSON
	}
	d.pos++
	if d.depth++; d.depth > maxJSONDepth {
		return errInvalidJSON
	}
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.skipSpace()
		if err := element(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return errInvalidJSON
		}
	}
}

// stringOrSkip returns the body of the string at d.pos, or skips a value of
// another type and reports isString false.
func (d *chunkDecoder) stringOrSkip() (raw []byte, escaped, isString bool, err error) {
	if d.peek() != '"' {
		return nil, false, false, d.skipValue()
	}
	raw, escaped, err = d.scanString()
	return raw, escaped, err == nil, err
}

// scanString validates the string at d.pos (which is '"') and returns its
// body without the quotes, and whether the body contains escapes.
func (d *chunkDecoder) scanString() (raw []byte, escaped bool, err error) {
	data := d.data
	start := d.pos + 1
	i := start
	for i < len(data) {
		for i < len(data) && !stringSpecial[data[i]] {
			i++
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d.data) {
				return nil, false, errInvalidJSON
			}
			switch d.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d.data) || !isHex4(d.data[i+2:i+6]) {
					return nil, false, errInvalidJSON
				}
				i += 6
			default:
				return nil, false, errInvalidJSON
			}
		case c < 0x20:
			return nil, false, errInvalidJSON
		default:
			i++
		}
	}
	return nil, false, errInvalidJSON
}

// stringSpecial marks the bytes that end a plain run inside a JSON string:
// the quote, the backslash and the control characters.
var stringSpecial = func() (table [256]bool) {
	for c := range 0x20 {
		table[c] = true
	}
	table['"'], table['\\'] = true, true
	return table
}()

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// skipValue validates and skips the value at d.pos.
func (d *chunkDecoder) skipValue() error {
	switch d.peek() {
	case '{':
		return d.object(func([]byte) error { return d.skipValue() })
	case '[':
		return d.array(d.skipValue)
	case '"':
		_, _, err := d.scanString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.number()
}

func (d *chunkDecoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return errInvalidJSON
	}
	d.pos += len(word)
	return nil
}

// number validates a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *chunkDecoder) number() error {
	i := d.pos
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	switch {
	case i < len(d.data) && d.data[i] == '0':
		i++
	case i < len(d.data) && d.data[i] >= '1' && d.data[i] <= '9':
		i = d.digits(i)
	default:
		return errInvalidJSON
	}
	if i < len(d.data) && d.data[i] == '.' {
		j := d.digits(i + 1)
		if j == i+1 {
			return errInvalidJSON
		}
		i = j
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		j := d.digits(i)
		if j == i {
			return errInvalidJSON
		}
		i = j
	}
	d.pos = i
	return nil
}

func (d *chunkDecoder) digits(i int) int {
	for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
		i++
	}
	return i
}
