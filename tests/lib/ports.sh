# shellcheck shell=bash
# tests/lib/ports.sh: loopback ports for tests and benchmarks that start
# servers. Sourced.

# free_ports N: N distinct free TCP ports on 127.0.0.1, on one line (all
# bound at once, so none is handed out twice).
free_ports() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# wait_port PORT [SECONDS]: until something listens on 127.0.0.1:PORT.
wait_port() {
	local port=$1 tries=$((${2:-10} * 20))
	while [ "$tries" -gt 0 ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}
