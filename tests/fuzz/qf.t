#!/usr/bin/env bash
# The qf parser under libFuzzer: malformed control files are refused without
# a memory error, and what parses writes back stably.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/fuzz.sh"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
printf 'V8\nT1795861761\nK0\nN0\nP90015\nI254/0/1\nB8BITMIME\nMDeferred\nFw8bs\n$_root@localhost\n${daemon_flags}c u\nqwhy\nS<a@b>\nZe\nA<>\n!\022 86400\nMm\nQrfc822;x\nrRFC822; x\nRPNSFD:<x@y>\nCnobody:1:2::include:/x\nRFD:d@e\nC\nRP:<r>\nH?P?Return-Path: <\201g>\nH??Received: from a\n\tby b\nHX: y\n.\n' >"$seeds/full"
printf 'V8\nT1\nS<a>\nRPF:<b>\n.\n' >"$seeds/small"
printf 'T5\nS<a>\nRPF:<b>\n.\n' >"$seeds/v0"
fuzz_run fuzz_qf "${PETREL_FUZZ_SECONDS:-8}" "$seeds" \
	lib/queue_qf_read.c lib/queue_qf_write.c lib/queue_env.c \
	lib/pt_alloc.c lib/pt_buf.c lib/pt_str.c lib/pt_log.c
done_testing
