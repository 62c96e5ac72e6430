# The scenario driver's hands inside a VM's namespace or a host's container, for what the node
# image's tools cannot do: a listener that reports what reached it, a connection attempt that
# tells a reset from an ICMP error from silence, and raw frames with a forged source.
# The image has python3 (Open vSwitch brings it); this file is sent with each call, never
# installed. Standard library only. Usage:
#   listen tcp|udp PORT SECONDS       prints "ready", then one line per connection or datagram
#   connect tcp|udp IP PORT MS        prints one JSON line: outcome, seen, ms, mac
#   send IFACE HEX...                 writes each frame as is on IFACE; prints the count sent
import errno
import json
import os
import select
import socket
import sys
import time


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def listen(proto, port, seconds):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if proto == "tcp":
        s.listen(64)
    say("ready")
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        if not select.select([s], [], [], left)[0]:
            continue
        if proto == "tcp":
            # Accepts and closes: the handshake is what the check is about.
            conn, peer = s.accept()
            conn.close()
            say("accepted %s:%d" % peer)
        else:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)
            say("echoed %s:%d" % peer)


def neighbour_mac(ip):
    """The MAC the sender's ARP table holds for `ip` (who answered), if complete."""
    try:
        with open("/proc/net/arp") as f:
            for row in f.read().splitlines()[1:]:
                cols = row.split()
                if len(cols) >= 4 and cols[0] == ip and int(cols[2], 16) & 2:
                    return cols[3].lower()
    except OSError:
        pass
    return None


# Errors an ICMP destination unreachable turns into (Linux's icmp_err_convert), by errno. An ARP
# request nobody answers becomes a local "host unreachable" too, but only after 3 s: the
# attempt's bound stays below that, so silence is never taken for an ICMP error.
ICMP_SEEN = {
    errno.EHOSTUNREACH: "ICMP host unreachable or prohibited",
    errno.ENETUNREACH: "ICMP network unreachable",
    errno.ENOPROTOOPT: "ICMP protocol unreachable",
    errno.EHOSTDOWN: "ICMP host unknown",
    errno.ENONET: "ICMP host isolated",
}


def attempt(proto, ip, port, timeout):
    """(outcome, seen) of one connection attempt bounded by `timeout` seconds."""
    if proto == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((ip, port))
            return "open", "connected"
        except ConnectionRefusedError:
            return "refused", "RST"
        finally:
            s.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Without IP_RECVERR a UDP socket hears only the "hard" ICMP errors (port unreachable); with
    # it every unreachable code is reported, as TCP's connect reports them.
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVERR", 11), 1)
    s.settimeout(timeout)
    token = os.urandom(16)
    try:
        s.connect((ip, port))
        s.send(token)
        start = time.monotonic()
        while True:
            data = s.recv(2048)
            if data == token:
                return "open", "echo"
            # Something else on this port pair: keep waiting for our echo within the bound.
            s.settimeout(max(0.001, timeout - (time.monotonic() - start)))
    except ConnectionRefusedError:
        return "refused", "ICMP port unreachable"
    finally:
        s.close()


def connect(proto, ip, port, ms):
    # A socket connected to no route fails at once, before anything is sent: that is no answer
    # from the target, it is a sender that cannot send.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((ip, port))
    except OSError as e:
        say(json.dumps({"outcome": "error", "seen": "no route to %s (%s)" % (ip, e.strerror), "ms": 0}))
        return
    finally:
        probe.close()
    start = time.monotonic()
    try:
        outcome, seen = attempt(proto, ip, port, ms / 1000.0)
    except socket.timeout:
        outcome, seen = "filtered", "no answer"
    except OSError as e:
        if e.errno not in ICMP_SEEN:
            raise
        outcome, seen = "refused", ICMP_SEEN[e.errno]
    took = round((time.monotonic() - start) * 1000)
    say(json.dumps({"outcome": outcome, "seen": seen, "ms": took, "mac": neighbour_mac(ip)}))


def send(iface, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for frame in frames:
        s.send(bytes.fromhex(frame))
    say("sent %d" % len(frames))


def main(argv):
    mode = argv[0] if argv else ""
    if mode == "listen" and len(argv) == 4:
        listen(argv[1], int(argv[2]), float(argv[3]))
    elif mode == "connect" and len(argv) == 5:
        connect(argv[1], argv[2], int(argv[3]), int(argv[4]))
    elif mode == "send" and len(argv) >= 3:
        send(argv[1], argv[2:])
    else:
        sys.stderr.write("usage: listen PROTO PORT SECONDS | connect PROTO IP PORT MS | send IFACE HEX...\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
