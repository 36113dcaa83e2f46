/* received.h: the relay address in a Received header (RFC 5321 4.4 trace
 * fields as MTAs really write them). Pure. */
#ifndef LG_MAIL_RECEIVED_H
#define LG_MAIL_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>

/* Finds the IP address of the host the message came from in one Received
 * header value ("from a.example (a.example [192.0.2.1]) by mx ..."): the
 * first bracketed or parenthesised address literal of the from-clause.
 * Writes it NUL-terminated into out (size >= 46) and returns true, or
 * returns false when the clause names no address. */
bool received_from_ip(const char *value, char *out, size_t size);

/* True when the receiving server says in this Received header value that
 * the client authenticated: a with-protocol of RFC 3848 (ESMTPA, ESMTPSA,
 * LMTPA, LMTPSA, UTF8SMTPA, UTF8SMTPSA, UTF8LMTPA, UTF8LMTPSA) or
 * Postfix's "(Authenticated sender: ...)" comment. Only meaningful for a
 * header written by a server we trust. */
bool received_authenticated(const char *value);

/* The name the client gave in HELO/EHLO: the first word of the from-clause
 * ("from mail.example.net (...) by ..."). Writes it into out and returns
 * true, or false when there is none or it does not fit. */
bool received_from_helo(const char *value, char *out, size_t size);

#endif
