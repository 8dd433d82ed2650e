#!/usr/bin/env bash
# mailer_escape: a mailer with F=E gets every body line that begins with
# "From " as ">From " (a line "From", "Fromage" or " From" is left alone),
# each line ended as the mailer's E= says, a last line without a newline
# ended too; without F=E the body reaches it unchanged.  Delivered by the
# sandbox's local mailer, which keeps each message as it got it.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"

body='From the top
From
Fromage
 From indented
>From quoted already

From after a blank line
last line without a newline'

# deliver SUBJECT: one message to root (aliased to rootbox; the local mailer
# without F=w takes any name) in the foreground
deliver() {
	printf 'Subject: %s\n\n%s' "$1" "$body" | sb_sendmail -odi -oi -f a@localhost root
}
# delivered SUBJECT: the body of the message with that subject
delivered() {
	for f in "$SB_MAIL"/rootbox/msg.*; do
		grep -q "^Subject: $1\$" "$f" && sed '1,/^$/d' "$f"
	done
}

sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "MODIFY_MAILER_FLAGS(\`LOCAL', \`+E')dnl"
ok $? "a sandbox whose local mailer has F=E compiles"
grep -q '^Mlocal,.*F=[^,]*E' "$SB_CF"
ok $? "its Mlocal line has the E flag"
deliver escaped
ok $? "a message is delivered in the foreground"
want='>From the top
From
Fromage
 From indented
>From quoted already

>From after a blank line
last line without a newline'
is "$(delivered escaped)" "$want" "lines that begin with \"From \" get a \">\", nothing else changes"
is "$(delivered escaped | tail -c 1 | od -An -c | tr -d ' ')" '\n' "the last line is ended"

sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl"
ok $? "a sandbox whose local mailer has no F=E compiles"
deliver plain
is "$(delivered plain)" "$body" "without F=E the body arrives as sent"
done_testing
