divert(-1)
dnl # OSTYPE(`bsd4.3'): 4.3BSD; the queue is under /usr/spool.
_PT_SET_DEFAULT_(`QUEUE_DIR', `/usr/spool/mqueue')
