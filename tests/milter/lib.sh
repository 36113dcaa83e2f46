#!/usr/bin/env bash
# lib.sh: a private Postfix on 127.0.0.1 with leakguard as its milter, for
# the milter tests (run.sh) and the benchmark (bench/milter.sh). Sourced.
#
# pf_setup DIR builds an instance under DIR: its own configuration, queue,
# data and log, a Maildir at DIR/mail/inbox/ for every recipient at
# example.com, outbound mail discarded (no DNS here), and three listeners on
# free ports:
#   PF_PORT        smtpd with smtpd_milters pointing at MILTER_PORT
#   PF_FRONT_PORT  smtpd without milter that queues mail and relays it to
#                  PF_PORT, as a remote MTA would (retries deferred mail)
#   PF_PLAIN_PORT  smtpd without milter delivering directly (the baseline)
# Facts this relies on are in /work/shared/NOTES.md ("A private Postfix").
# Callers set a trap that runs pf_cleanup.

# shellcheck source=../lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.sh"

PF_DIR= PF_PORT= PF_FRONT_PORT= PF_PLAIN_PORT= MILTER_PORT= MILTER_PID=

# Registers DIR/etc in the default main.cf's alternate_config_directories
# (postfix -c refuses other directories), creating main.cf when missing.
pf_register() {
	local dirs
	[ -f /etc/postfix/main.cf ] || : >/etc/postfix/main.cf
	dirs=$(postconf -h alternate_config_directories 2>/dev/null)
	postconf -e "alternate_config_directories = ${dirs:+$dirs, }$1"
}

pf_unregister() {
	local all=() kept=() d
	IFS=, read -r -a all <<<"$(postconf -h alternate_config_directories 2>/dev/null)"
	for d in "${all[@]+"${all[@]}"}"; do
		d=$(xargs <<<"$d")
		[ -n "$d" ] && [ "$d" != "$1" ] && kept+=("$d")
	done
	postconf -e "alternate_config_directories = $(IFS=,; echo "${kept[*]+"${kept[*]}"}" | sed 's/,/, /g')"
}

pf_setup() {
	PF_DIR=$1
	read -r PF_PORT PF_FRONT_PORT PF_PLAIN_PORT MILTER_PORT <<<"$(free_ports 4)"
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/mail/inbox"
	chmod 755 "$PF_DIR" "$PF_DIR/etc"
	chown postfix "$PF_DIR/data"
	chown -R nobody:nogroup "$PF_DIR/mail"
	cp /etc/postfix/master.cf.proto "$PF_DIR/etc/master.cf"
	: >"$PF_DIR/etc/main.cf"
	postconf -c "$PF_DIR/etc" -e \
		"compatibility_level = 3.6" \
		"queue_directory = $PF_DIR/queue" \
		"data_directory = $PF_DIR/data" \
		"maillog_file = $PF_DIR/maillog" \
		"maillog_file_prefixes = $PF_DIR" \
		"myhostname = mx.milter-test.invalid" \
		"mydestination =" \
		"alias_maps =" \
		"alias_database =" \
		"inet_interfaces = 127.0.0.1" \
		"inet_protocols = ipv4" \
		"mynetworks = 127.0.0.0/8" \
		"smtpd_relay_restrictions = permit_mynetworks, reject" \
		"virtual_mailbox_domains = example.com" \
		"virtual_mailbox_base = $PF_DIR/mail" \
		"virtual_mailbox_maps = static:inbox/" \
		"virtual_uid_maps = static:$(id -u nobody)" \
		"virtual_gid_maps = static:$(id -g nobody)" \
		"virtual_mailbox_limit = 0" \
		"message_size_limit = 52428800" \
		"default_transport = discard:outbound mail is not sent in tests" \
		"relay_transport = discard:outbound mail is not sent in tests" \
		"smtpd_milters = inet:127.0.0.1:$MILTER_PORT" \
		"milter_default_action = tempfail" \
		"milter_protocol = 6" \
		"milter_connect_timeout = 5s" \
		"milter_command_timeout = 10s" \
		"milter_content_timeout = 30s" \
		"default_process_limit = 100" \
		"smtpd_client_connection_count_limit = 0" \
		"smtpd_client_connection_rate_limit = 0" \
		"smtpd_error_sleep_time = 0" \
		"smtpd_soft_error_limit = 1000" \
		"smtpd_hard_error_limit = 1000" \
		"smtp_connection_cache_on_demand = yes" \
		"minimal_backoff_time = 1h" \
		"maximal_backoff_time = 1h" \
		"queue_run_delay = 1h" \
		"virtual_destination_concurrency_limit = 20"
	# Listeners on free ports instead of port 25; postlogd for the log file.
	sed -i 's/^smtp \{1,\}inet .*/#&/' "$PF_DIR/etc/master.cf"
	cat >>"$PF_DIR/etc/master.cf" <<EOT
127.0.0.1:$PF_PORT inet n - n - - smtpd -o myhostname=filter.milter-test.invalid
127.0.0.1:$PF_FRONT_PORT inet n - n - - smtpd -o smtpd_milters= -o content_filter=smtp:[127.0.0.1]:$PF_PORT
127.0.0.1:$PF_PLAIN_PORT inet n - n - - smtpd -o smtpd_milters=
EOT
	grep -q '^postlog ' "$PF_DIR/etc/master.cf" ||
		echo "postlog unix-dgram n - n - 1 postlogd" >>"$PF_DIR/etc/master.cf"
	pf_register "$PF_DIR/etc"
}

# pf_enable_sasl USER:PASSWORD...: SASL AUTH (PLAIN, LOGIN) on the
# listeners, checked by Cyrus SASL against a private sasldb (sasl2-bin's
# saslpasswd2) in realm PF_SASL_REALM (default sasl.test); Postfix then
# hands the login to milters as {auth_authen}.
# Call between pf_setup and pf_start.
pf_enable_sasl() {
	local up
	command -v saslpasswd2 >/dev/null || { echo "pf_enable_sasl: saslpasswd2 missing (sasl2-bin)" >&2; return 1; }
	# Debian's Postfix reads $config_directory/sasl/smtpd.conf (whatever
	# cyrus_sasl_config_path says); the sasldb lives beside it.
	mkdir -p "$PF_DIR/etc/sasl" "$PF_DIR/sasl"
	cat >"$PF_DIR/etc/sasl/smtpd.conf" <<EOT
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $PF_DIR/sasl/sasldb2
EOT
	for up in "$@"; do
		printf '%s' "${up#*:}" | saslpasswd2 -p -c -f "$PF_DIR/sasl/sasldb2" -u "${PF_SASL_REALM:-sasl.test}" "${up%%:*}" || return 1
	done
	chown -R postfix "$PF_DIR/sasl"
	chmod 700 "$PF_DIR/sasl"
	postconf -c "$PF_DIR/etc" -e \
		"smtpd_sasl_auth_enable = yes" \
		"smtpd_sasl_type = cyrus" \
		"smtpd_sasl_path = smtpd" \
		"cyrus_sasl_config_path = $PF_DIR/etc/sasl" \
		"smtpd_sasl_local_domain = ${PF_SASL_REALM:-sasl.test}" \
		"smtpd_sasl_security_options = noanonymous"
}

pf_start() {
	postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.log" 2>&1 || { cat "$PF_DIR/start.log" >&2; return 1; }
	wait_port "$PF_PORT" 20 && wait_port "$PF_FRONT_PORT" 5 && wait_port "$PF_PLAIN_PORT" 5
}

pf_stop() {
	[ -n "$PF_DIR" ] && postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	return 0
}

# pf_flush: retry deferred mail now (also forgets dead destinations).
pf_flush() {
	postqueue -c "$PF_DIR/etc" -f
}

# pf_queue_count [QUEUE]: messages in the queue (active, deferred, hold, ...),
# all queues when none is given.
pf_queue_count() {
	postqueue -c "$PF_DIR/etc" -j 2>/dev/null | { [ -n "${1:-}" ] && grep -F "\"queue_name\": \"$1\"" || cat; } | grep -c .
}

pf_delivered_count() {
	find "$PF_DIR/mail/inbox/new" -type f 2>/dev/null | wc -l
}

# pf_wait_delivered N [SECONDS]: until N messages are in the Maildir.
pf_wait_delivered() {
	local want=$1 tries=$((${2:-30} * 10))
	while [ "$tries" -gt 0 ]; do
		[ "$(pf_delivered_count)" -ge "$want" ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# pf_wait_settled [SECONDS]: until no message is in the incoming, active or
# maildrop queue: each has been delivered, deferred or held.
pf_wait_settled() {
	local tries=$((${1:-30} * 10)) n
	while [ "$tries" -gt 0 ]; do
		n=$(postqueue -c "$PF_DIR/etc" -j 2>/dev/null | grep -cE '"queue_name": "(incoming|active|maildrop)"')
		[ "$n" -eq 0 ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# milter_start BINARY CONFIG LOG: starts leakguard milter in the background.
milter_start() {
	"$1" milter --config "$2" --listen "inet:$MILTER_PORT@127.0.0.1" >>"$3" 2>&1 &
	MILTER_PID=$!
	wait_port "$MILTER_PORT" 20
}

milter_stop() {
	if [ -n "$MILTER_PID" ] && kill -0 "$MILTER_PID" 2>/dev/null; then
		kill -TERM "$MILTER_PID"
		wait "$MILTER_PID" 2>/dev/null
	fi
	MILTER_PID=
}

pf_cleanup() {
	milter_stop
	pf_stop
	if [ -n "$PF_DIR" ]; then
		pf_unregister "$PF_DIR/etc"
		[ -n "${KEEP:-}" ] || rm -rf "$PF_DIR"
	fi
}

# milter_hup: SIGHUP to $MILTER_PID, then wait for the milter's next
# "configuration and lists reloaded" line in $LOG. Counting those lines, not
# waiting for "generation N": the milter also reloads on its own when the
# store changes (a report, a learnt correspondent), so a generation number
# may be logged before this SIGHUP is served.
milter_hup() {
	local before _
	before=$(grep -c "configuration and lists reloaded" "$LOG")
	kill -HUP "$MILTER_PID"
	for _ in $(seq 200); do
		[ "$(grep -c "configuration and lists reloaded" "$LOG")" -gt "$before" ] && return 0
		sleep 0.05
	done
	echo "no new 'configuration and lists reloaded' in the log after SIGHUP"
	tail -n 5 "$LOG"
	return 1
}
