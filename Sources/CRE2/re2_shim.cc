// The RE2 side of re2_shim.h. Prometheus anchors a relabel regex as `^(?:` + regex + `)$` and
// compiles it with Go's regexp package; RE2 is the engine Go's package was ported from, with the
// same syntax save for two differences checked here before RE2 sees the pattern:
//   - Go refuses stacked repetition operators (`a**`, `a+*`, `a{2}{3}`, `a*??`) that RE2 squashes;
//   - Go has no `\C` (any byte) escape.
// Matching searches the anchored program rather than pinning both ends, as Prometheus'
// `Regexp.MatchString` and `FindStringSubmatchIndex` do: the two differ only for a pattern that
// closes the anchoring group itself, such as `a)|(b`, which then matches any value starting "a".
#include "re2_shim.h"

#include <re2/re2.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

struct sb_re2 {
    re2::RE2 *regex;
    std::vector<std::string> names;  // by group number; "" for unnamed
};

namespace {

void copy_error(const std::string &message, char *error, size_t capacity) {
    if (error == nullptr || capacity == 0) return;
    size_t length = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), length);
    error[length] = '\0';
}

// Skips `{...}` after `\p`, `\P` or `\x` when present; returns the index after the escape.
size_t skip_braced(const std::string &p, size_t i) {
    if (i < p.size() && p[i] == '{') {
        size_t close = p.find('}', i);
        return close == std::string::npos ? p.size() : close + 1;
    }
    return i + 1;
}

// Index after a `\` escape starting at `i` (p[i] == '\\'), or npos with a reason.
size_t skip_escape(const std::string &p, size_t i, std::string &reason) {
    if (i + 1 >= p.size()) return p.size();
    char c = p[i + 1];
    if (c == 'C') {
        reason = "invalid escape sequence: `\\C`";
        return std::string::npos;
    }
    if (c == 'p' || c == 'P') return skip_braced(p, i + 2);
    if (c == 'x') {
        if (i + 2 < p.size() && p[i + 2] == '{') return skip_braced(p, i + 2);
        return i + 4 <= p.size() ? i + 4 : p.size();
    }
    return i + 2;
}

// Length of a Go repeat `{n}`, `{n,}` or `{n,m}` at `i`, or 0 when `{` is a literal there.
size_t repeat_length(const std::string &p, size_t i) {
    size_t j = i + 1;
    size_t digits = 0;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') { ++j; ++digits; }
    if (digits == 0 || j >= p.size()) return 0;
    if (p[j] == ',') {
        ++j;
        while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
    }
    if (j >= p.size() || p[j] != '}') return 0;
    return j + 1 - i;
}

// Go's rule (regexp/syntax, Perl flags): a repetition operator may not follow another.
bool go_syntax_ok(const std::string &p, std::string &reason) {
    size_t i = 0;
    size_t last_repeat = std::string::npos;  // where the previous token, a repeat, began
    while (i < p.size()) {
        char c = p[i];
        size_t start = i;
        size_t repeat = 0;
        if (c == '\\') {
            if (i + 1 < p.size() && p[i + 1] == 'Q') {
                size_t end = p.find("\\E", i + 2);
                i = end == std::string::npos ? p.size() : end + 2;
            } else {
                i = skip_escape(p, i, reason);
                if (i == std::string::npos) return false;
            }
        } else if (c == '[') {
            ++i;
            if (i < p.size() && p[i] == '^') ++i;
            if (i < p.size() && p[i] == ']') ++i;
            while (i < p.size() && p[i] != ']') {
                if (p[i] == '\\') {
                    i = skip_escape(p, i, reason);
                    if (i == std::string::npos) return false;
                } else if (p[i] == '[' && i + 1 < p.size() && p[i + 1] == ':') {
                    size_t close = p.find(":]", i + 2);
                    i = close == std::string::npos ? i + 1 : close + 2;
                } else {
                    ++i;
                }
            }
            if (i < p.size()) ++i;
        } else if (c == '*' || c == '+' || c == '?') {
            repeat = 1;
        } else if (c == '{') {
            repeat = repeat_length(p, i);
            if (repeat == 0) ++i;
        } else {
            ++i;
        }
        if (repeat == 0) {
            last_repeat = std::string::npos;
            continue;
        }
        i += repeat;
        if (i < p.size() && p[i] == '?') ++i;  // non-greedy
        if (last_repeat != std::string::npos) {
            reason = "invalid nested repetition operator: `" + p.substr(last_repeat, i - last_repeat) + "`";
            return false;
        }
        last_repeat = start;
    }
    return true;
}

}  // namespace

extern "C" sb_re2 *sb_re2_compile(const char *pattern, size_t length, char *error, size_t error_capacity) {
    std::string anchored = "^(?:" + std::string(pattern, length) + ")$";
    std::string reason;
    if (!go_syntax_ok(anchored, reason)) {
        copy_error(reason, error, error_capacity);
        return nullptr;
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    // RE2's default (8 MiB) refuses some patterns Go compiles; relabel regexes are few.
    options.set_max_mem(64 << 20);
    auto *regex = new re2::RE2(anchored, options);
    if (!regex->ok()) {
        copy_error(regex->error(), error, error_capacity);
        delete regex;
        return nullptr;
    }
    auto *result = new sb_re2{regex, std::vector<std::string>(regex->NumberOfCapturingGroups() + 1)};
    for (const auto &entry : regex->CapturingGroupNames()) result->names[entry.first] = entry.second;
    return result;
}

extern "C" void sb_re2_free(sb_re2 *regex) {
    if (regex == nullptr) return;
    delete regex->regex;
    delete regex;
}

extern "C" int sb_re2_group_count(const sb_re2 *regex) { return regex->regex->NumberOfCapturingGroups(); }

extern "C" const char *sb_re2_group_name(const sb_re2 *regex, int index) {
    if (index < 0 || static_cast<size_t>(index) >= regex->names.size() || regex->names[index].empty()) return nullptr;
    return regex->names[index].c_str();
}

extern "C" bool sb_re2_full_match(const sb_re2 *regex, const char *text, size_t length) {
    if (text == nullptr) text = "";
    return regex->regex->Match(re2::StringPiece(text, length), 0, length, re2::RE2::UNANCHORED, nullptr, 0);
}

extern "C" bool sb_re2_full_match_groups(const sb_re2 *regex, const char *text, size_t length, long *offsets, int groups) {
    if (text == nullptr) text = "";  // an empty group must still point somewhere to count as taking part
    std::vector<re2::StringPiece> found(groups);
    re2::StringPiece input(text, length);
    if (!regex->regex->Match(input, 0, length, re2::RE2::UNANCHORED, found.data(), groups)) return false;
    for (int group = 0; group < groups; ++group) {
        if (found[group].data() == nullptr) {
            offsets[2 * group] = -1;
            offsets[2 * group + 1] = -1;
        } else {
            offsets[2 * group] = static_cast<long>(found[group].data() - text);
            offsets[2 * group + 1] = static_cast<long>(found[group].data() - text + found[group].size());
        }
    }
    return true;
}
