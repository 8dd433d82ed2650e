#!/usr/bin/env python3
"""dsn_normalize.py: delivery status notices in mailbox files, normalised
for comparison with another MTA's.

    python3 dsn_normalize.py FILE...

Each FILE is one delivered message (the test mailer of peers.sh's up_new
writes one file per message).  Prints each message, whole, after replacing
only what must differ between two MTAs handling the same mail: queue ids
(QID), the clock (dates keep their shape: "Sun, 29 Nov 2026 10:01:02 GMT"
becomes "Sun, DD Mon YYYY HH:MM:SS GMT"; $t in Message-Ids), the MIME boundary (BOUNDARY) and
the MTA's version in Received: headers ("by host (V/8.17.1.9)").  The
messages are sorted by their Subject and that of the message they return, so
that delivery order does not matter; each begins with a line "=== SUBJECT /
ORIGINAL SUBJECT".
"""
import re
import sys

QID = re.compile(r'\b[0-9A-Za-z]{8}[0-9]{6}\b')
DATE = re.compile(r'\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d\b')


def normalise(text):
    head = text.split('\n\n', 1)[0]
    m = re.search(r'boundary="([^"]+)"', head)
    if m:
        text = text.replace(m.group(1), 'BOUNDARY')
    text = QID.sub('QID', text)
    text = re.sub(r'<\d{12}\.QID@', '<YYYYMMDDhhmm.QID@', text)  # $t in Message-Ids
    text = DATE.sub('DD Mon YYYY HH:MM:SS', text)
    # the MTA's version in Received: lines ($v)
    text = re.sub(r'(\bby \S+ \()[^/)\s]+/', r'\1V/', text)
    return text


def subjects(text):
    subj = re.search(r'^Subject: (.*)$', text, re.M)
    orig = re.findall(r'^Subject: (.*)$', text, re.M)
    return (subj.group(1) if subj else '', orig[-1] if len(orig) > 1 else '')


def main():
    msgs = []
    for path in sys.argv[1:]:
        with open(path, encoding='latin-1') as f:
            text = normalise(f.read())
        s, o = subjects(text)
        msgs.append(('=== %s / %s' % (s, o), text))
    for key, text in sorted(msgs):
        print(key)
        print(text.rstrip('\n'))


if __name__ == '__main__':
    main()
