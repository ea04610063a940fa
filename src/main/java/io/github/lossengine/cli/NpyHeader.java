package io.github.lossengine.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header dictionary of an {@code .npy} file, parsed as {@code numpy.lib.format} does: the text is
 * a Python literal ({@code ast.literal_eval}), it must be a dict whose keys are exactly
 * {@code descr}, {@code fortran_order} and {@code shape}, {@code shape} a tuple of non-negative ints,
 * {@code fortran_order} a bool. Everything NumPy refuses is refused, with one line naming the problem:
 * extra or missing keys, a shape that is a list or a bare int, NUL bytes (Python refuses to evaluate
 * them), a rank above NumPy's 64. Stricter than NumPy in two places where it would read the data
 * differently from other readers: a key given twice (Python keeps the last, a reader scanning for the
 * first keeps the first) and {@code True}/{@code False} as a dimension (Python's bool is an int).
 *
 * <p>The Python subset understood: dicts, tuples and lists (trailing comma allowed), strings in
 * single or double quotes with backslash escapes, decimal integers with an optional sign,
 * underscores between digits and Python 2's {@code L} suffix (NumPy filters it from version 1.0 and
 * 2.0 headers), {@code True}, {@code False}, {@code None}, and {@code #} comments. Anything else is
 * malformed (NumPy writes nothing else).
 *
 * <p>Thread-safety: instances are confined to the parsing thread.
 */
final class NpyHeader {
    /** NumPy 2's {@code NPY_MAXDIMS}; NumPy 1 refuses above 32. */
    static final int MAX_RANK = 64;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** The three values of a valid header: {@code descr} is a String, or a List for structured dtypes. */
    record Values(Object descr, boolean fortranOrder, long[] shape) {
    }

    private final String text;
    private int pos;

    private NpyHeader(String text) {
        this.text = text;
    }

    /** Parses and checks {@code header}; the message of the exception is the problem, without the file. */
    static Values parse(String header) throws MalformedException {
        if (header.indexOf('\0') >= 0) {
            throw new MalformedException("malformed header (contains a NUL byte at offset " + header.indexOf('\0') + ")");
        }
        NpyHeader p = new NpyHeader(header);
        p.skipBlanks();
        if (!p.peek('{')) {
            throw new MalformedException("malformed header (not a dictionary): " + abbreviate(header));
        }
        Object v = p.value();
        p.skipBlanks();
        if (p.pos != header.length()) {
            throw p.error("text after the dictionary");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) v;
        if (!d.keySet().equals(KEYS)) {
            throw new MalformedException("malformed header: keys " + d.keySet() + ", expected exactly 'descr', "
                    + "'fortran_order' and 'shape' (as NumPy requires): " + abbreviate(header));
        }
        Object shape = d.get("shape");
        if (!(shape instanceof Tuple t)) {
            throw new MalformedException("malformed shape " + repr(shape) + ": not a tuple of ints");
        }
        if (t.items.size() > MAX_RANK) {
            throw new MalformedException("malformed shape: rank " + t.items.size() + " is more than NumPy's " + MAX_RANK);
        }
        long[] dims = new long[t.items.size()];
        for (int i = 0; i < dims.length; i++) {
            Object x = t.items.get(i);
            if (!(x instanceof Long l)) {
                throw new MalformedException("malformed shape " + repr(shape) + ": dimension " + i + " is " + repr(x)
                        + ", not an int");
            }
            if (l < 0) {
                throw new MalformedException("malformed shape " + repr(shape) + ": dimension " + i + " is negative");
            }
            dims[i] = l;
        }
        Object fortran = d.get("fortran_order");
        if (!(fortran instanceof Boolean f)) {
            throw new MalformedException("malformed header: 'fortran_order' is " + repr(fortran) + ", not True or False");
        }
        Object descr = d.get("descr");
        if (!(descr instanceof String) && !(descr instanceof List)) {
            throw new MalformedException("malformed header: 'descr' is " + repr(descr) + ", not a dtype string");
        }
        return new Values(descr, f, dims);
    }

    /** A problem with the header text. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /** A Python tuple (a List is a Python list). */
    private record Tuple(List<Object> items) {
    }

    private Object value() throws MalformedException {
        skipBlanks();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict();
            case '(': {
                pos++;
                List<Object> items = new ArrayList<>();
                boolean comma = sequence(')', items);
                // (x) is x in Python; (x,) and () are tuples
                return items.size() == 1 && !comma ? items.get(0) : new Tuple(items);
            }
            case '[': {
                pos++;
                List<Object> items = new ArrayList<>();
                sequence(']', items);
                return items;
            }
            case '\'':
            case '"':
                return string(c);
            default:
                break;
        }
        if (c == '-' || c == '+' || Character.isDigit(c)) {
            return integer();
        }
        for (String word : new String[] {"True", "False", "None"}) {
            if (text.startsWith(word, pos) && !identifierAt(pos + word.length())) {
                pos += word.length();
                return word.equals("None") ? NONE : Boolean.valueOf(word.equals("True"));
            }
        }
        throw error("unexpected '" + c + "'");
    }

    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private Map<String, Object> dict() throws MalformedException {
        pos++; // '{'
        Map<String, Object> d = new LinkedHashMap<>();
        while (true) {
            skipBlanks();
            if (peek('}')) {
                pos++;
                return d;
            }
            Object key = value();
            if (!(key instanceof String k)) {
                throw error("dictionary key " + repr(key) + " is not a string");
            }
            skipBlanks();
            expect(':');
            Object v = value();
            if (d.containsKey(k)) {
                throw new MalformedException("malformed header: key '" + k + "' is given twice (NumPy would take the "
                        + "last, other readers the first): " + abbreviate(text));
            }
            d.put(k, v);
            skipBlanks();
            if (peek(',')) {
                pos++;
            } else if (!peek('}')) {
                throw error("expected ',' or '}'");
            }
        }
    }

    /** Items up to {@code close}; true when the last item was followed by a comma. */
    private boolean sequence(char close, List<Object> items) throws MalformedException {
        boolean comma = false;
        while (true) {
            skipBlanks();
            if (peek(close)) {
                pos++;
                return comma;
            }
            items.add(value());
            skipBlanks();
            comma = peek(',');
            if (comma) {
                pos++;
            } else if (!peek(close)) {
                throw error("expected ',' or '" + close + "'");
            }
        }
    }

    private String string(char quote) throws MalformedException {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && pos < text.length()) {
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case '\\', '\'', '"' -> sb.append(e);
                    default -> throw error("unsupported escape \\" + e + " in a string");
                }
            } else {
                sb.append(c);
            }
        }
        throw error("unterminated string");
    }

    private Long integer() throws MalformedException {
        int start = pos;
        boolean negative = false;
        if (peek('-') || peek('+')) {
            negative = text.charAt(pos) == '-';
            pos++;
            skipBlanks();
        }
        int digitsFrom = pos;
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String digits = text.substring(digitsFrom, pos);
        if (digits.isEmpty() || digits.startsWith("_") || digits.endsWith("_") || digits.contains("__")
                || (digits.length() > 1 && digits.startsWith("0") && !digits.matches("0[0_]*"))) {
            throw error("malformed integer '" + text.substring(start, pos) + "'");
        }
        if (peek('L') || peek('l')) {
            pos++;
        }
        if (identifierAt(pos) || peek('.')) {
            throw error("malformed integer '" + text.substring(start, Math.min(text.length(), pos + 1)) + "'");
        }
        try {
            long v = Long.parseLong(digits.replace("_", ""));
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            throw new MalformedException("malformed shape: dimension " + text.substring(start, pos)
                    + " is beyond int64, which no array can have");
        }
    }

    private boolean identifierAt(int i) {
        return i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_');
    }

    private void skipBlanks() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pos++;
            } else {
                return;
            }
        }
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) throws MalformedException {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private MalformedException error(String what) {
        return new MalformedException("malformed header (" + what + " at offset " + pos + "): " + abbreviate(text));
    }

    private static String repr(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.items.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(repr(t.items.get(i)));
            }
            return abbreviate(sb.append(t.items.size() == 1 ? ",)" : ")").toString());
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
            }
            return abbreviate(sb.append(']').toString());
        }
        return abbreviate(String.valueOf(v));
    }

    static String abbreviate(String s) {
        String one = s.replace("\n", "\\n").replace("\r", "\\r");
        return one.length() <= 120 ? one : one.substring(0, 117) + "...";
    }
}
