#!/usr/bin/env python3
"""French typography of i18n/fr.po: a non-breaking space before : ; ? !

    python3 tools/fr_typography.py [i18n/fr.po]      # fixes the file in place
    python3 tools/fr_typography.py --check [file]     # lists the faults, exit 1

A sentence's colon, semicolon, question or exclamation mark takes a
non-breaking space (U+00A0, or the narrow U+202F) before it in French:
"Montant annuel : 1 200,00 €", "Quel est le problème ?". Not a mark inside
an HTML tag or entity, a URL, a time (10:30), a placeholder or an inline
template expression. The fix only changes the msgstr lines it must (the
space before the mark, or a space added), leaving the rest of the file as
it is, so it can run again after each merge. tests/test_i18n_french.py
runs the check.
"""

import re
import sys

NO_BREAK = "\u00a0\u202f"
MARKS = ":;?!"
# What is not prose: tags, entities, URLs, times, placeholders and
# expressions (%(name)s, %s, {{ }}, #{ }, ${ }), date formats (%H:%M).
NOT_PROSE = re.compile(
    r"<[^>]*>|&#?\w+;|\b[a-z][\w+.-]*://\S+|\d:\d|%\(\w+\)[sdf]|%[a-zA-Z%]"
    r"|\{\{.*?\}\}|[#$]\{.*?\}",
    re.DOTALL,
)


def sentence_marks(text):
    """Positions in ``text`` of the sentence marks (: ; ? !) of its prose."""
    masked = NOT_PROSE.sub(lambda match: "\0" * len(match.group()), text)
    return [index for index, char in enumerate(masked) if char in MARKS]


def faults(text):
    """Positions of the sentence marks of ``text`` without a non-breaking
    space before them."""
    return [
        index
        for index in sentence_marks(text)
        if not (index and text[index - 1] in NO_BREAK)
        # a mark after another one ("?!") takes no space of its own
        and not (index and text[index - 1] in MARKS)
    ]


def fixed(text):
    """``text`` with a non-breaking space before each sentence mark: the
    space before it replaced, or one added."""
    chars = list(text)
    for index in reversed(faults(text)):
        if index and chars[index - 1] == " ":
            chars[index - 1] = "\u00a0"
        else:
            chars.insert(index, "\u00a0")
    return "".join(chars)


ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def _unescape(chunk):
    """The text of a quoted PO line, and for each of its characters the
    index in the line where it starts."""
    text, starts, index = [], [], 0
    while index < len(chunk):
        starts.append(index)
        if chunk[index] == "\\" and index + 1 < len(chunk):
            text.append(ESCAPES.get(chunk[index + 1], chunk[index + 1]))
            index += 2
        else:
            text.append(chunk[index])
            index += 1
    starts.append(len(chunk))
    return "".join(text), starts


def _msgstr_blocks(lines):
    """(first, last) line indexes of each msgstr (msgstr and msgstr[n])
    with its continuation lines."""
    index = 0
    while index < len(lines):
        # (not the header: an empty msgid, its msgstr just below)
        header = index and lines[index - 1] == 'msgid ""'
        if lines[index].startswith("msgstr") and not header:
            last = index
            while last + 1 < len(lines) and lines[last + 1].startswith('"'):
                last += 1
            yield index, last
            index = last
        index += 1


def process(lines, fix):
    """The faults of the msgstr of the PO ``lines`` ([(line number, text)]),
    and the lines fixed when ``fix``."""
    found = []
    for first, last in _msgstr_blocks(lines):
        chunks = []
        for number in range(first, last + 1):
            line = lines[number]
            start = line.index('"') + 1
            end = line.rindex('"')
            text, starts = _unescape(line[start:end])
            chunks.append((number, start, text, starts))
        whole = "".join(text for _n, _s, text, _st in chunks)
        positions = faults(whole)
        if not positions:
            continue
        found.append((first + 1, whole))
        if not fix:
            continue
        # Apply the edits from the end: the space before the mark replaced,
        # or a space inserted before the mark, in the line that holds it.
        for position in reversed(positions):
            replace = bool(position) and whole[position - 1] == " "
            target = position - 1 if replace else position
            offset = 0
            for number, start, text, starts in chunks:
                if target < offset + len(text) or number == last:
                    column = start + starts[target - offset]
                    line = lines[number]
                    rest = line[column + 1 :] if replace else line[column:]
                    lines[number] = line[:column] + "\u00a0" + rest
                    break
                offset += len(text)
    return found, lines


def main(argv):
    check = "--check" in argv
    paths = [arg for arg in argv if arg != "--check"] or ["i18n/fr.po"]
    status = 0
    for path in paths:
        with open(path, encoding="utf-8") as file:
            lines = file.read().split("\n")
        found, lines = process(lines, fix=not check)
        for number, text in found:
            print(f"{path}:{number}: {text[:100]!r}")
        if check:
            status = status or bool(found)
        elif found:
            with open(path, "w", encoding="utf-8") as file:
                file.write("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
