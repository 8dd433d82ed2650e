#!/usr/bin/env python3
"""dsn_summary.py: one line per delivery status notice in mailbox files.

    python3 dsn_summary.py FILE...

For tests that compare Petrel's notices with upstream's: each FILE is one
delivered message (the sandboxes' test mailer writes one file per message).
A notice (a multipart/report) is summed up as

    orig=SUBJECT subject=... to=... auto=... withid=ok|bad|none
    failed=ADDR,ADDR part3=TYPE body=yes|no

where orig is the Subject of the returned message (or its headers),
withid says whether the "with id" line names the queue id that the
returned message's Received header gives, failed lists the addresses of
the "permanent fatal errors" section, to joins the To: lines with " + ",
and body says whether the returned
part holds the message's body.  Other messages are summed up as
"message subject=...".  Lines are sorted, so that delivery order does not
matter.
"""
import re
import sys


def header(block, name):
    m = re.search(r'^' + name + r':[ \t]*(.*(?:\n[ \t].*)*)', block, re.M | re.I)
    return re.sub(r'\s+', ' ', m.group(1)).strip() if m else ''


def headers(block, name):
    found = re.findall(r'^' + name + r':[ \t]*(.*(?:\n[ \t].*)*)', block, re.M | re.I)
    return ' + '.join(re.sub(r'\s+', ' ', v).strip() for v in found)


def summary(text):
    head, _, body = text.partition('\n\n')
    subject = header(head, 'Subject')
    ctype = header(head, 'Content-Type')
    m = re.search(r'boundary="([^"]+)"', ctype)
    if 'multipart/report' not in ctype or not m:
        return 'message subject=' + subject
    parts = body.split('--' + m.group(1))
    # parts: preamble, human, status, original, epilogue
    human = parts[1] if len(parts) > 1 else ''
    orig = parts[3] if len(parts) > 3 else ''
    ohead, _, orest = orig.lstrip('\n').partition('\n\n')
    part3 = header(ohead, 'Content-Type')
    returned, _, rbody = orest.partition('\n\n')
    failed = []
    sect = re.search(r'permanent fatal errors -----\n(.*?)\n\n', human, re.S)
    if sect:
        failed = [ln for ln in sect.group(1).split('\n') if ln and not ln[0].isspace()]
    wid = re.search(r'^with id (\S+)$', human, re.M)
    rid = re.search(r'\bid (\S+?)[;\s]', header(returned, 'Received') + ' ')
    withid = 'none' if not wid else 'ok' if rid and rid.group(1) == wid.group(1) else 'bad'
    return ('orig=%s subject=%s to=%s auto=%s withid=%s failed=%s part3=%s body=%s' % (
        header(returned, 'Subject'), subject, headers(head, 'To'),
        header(head, 'Auto-Submitted'), withid, ','.join(failed), part3,
        'yes' if rbody.strip() else 'no'))


def main():
    lines = []
    for path in sys.argv[1:]:
        with open(path, encoding='latin-1') as f:
            lines.append(summary(f.read()))
    for line in sorted(lines):
        print(line)


if __name__ == '__main__':
    main()
