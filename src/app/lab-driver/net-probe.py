# The scenario driver's hands inside a VM's namespace or a host's container, for what the node
# image's tools cannot do: a listener that reports what reached it, a connection attempt that
# tells a reset from an ICMP error from silence, and raw frames with a forged source.
# The image has python3 (Open vSwitch brings it); this file is sent with each call, never
# installed. Standard library only. Usage:
#   listen tcp|udp PORT SECONDS       prints "ready", then one line per connection or datagram
#   connect tcp|udp IP PORT MS        prints one JSON line: outcome, seen, ms, mac
#   send IFACE HEX...                 writes each frame as is on IFACE; prints the count sent
#   listen sink PORT SECONDS          a TCP listener that reads each connection to its end
#   stream IP PORT SECONDS            sends TCP as fast as it can for SECONDS; prints one JSON
#                                     line: bytes, seconds (until the receiver had them all), mbps
#   connrate IP PORT SECONDS          opens and closes TCP connections one after another for
#                                     SECONDS; prints one JSON line: connections, seconds, per_s
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
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if proto != "udp":
        s.listen(64)
    say("ready")
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        if not select.select([s], [], [], left)[0]:
            continue
        if proto == "sink":
            conn, peer = s.accept()
            say("drained %s:%d %d" % (peer + (drain(conn),)))
        elif proto == "tcp":
            # Accepts and closes: the handshake is what the check is about.
            conn, peer = s.accept()
            conn.close()
            say("accepted %s:%d" % peer)
        else:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)
            say("echoed %s:%d" % peer)


def drain(conn):
    """Reads a connection to its end and closes it: the sender's close then means all arrived."""
    got = 0
    with conn:
        while True:
            data = conn.recv(1 << 16)
            if not data:
                return got
            got += len(data)


def stream(ip, port, seconds):
    # The sender's clock stops when the receiver has read everything and closed, so what sat in
    # socket buffers when the time was up counts only once it has crossed.
    s = socket.create_connection((ip, port), timeout=10)
    chunk = b"\0" * (1 << 16)
    sent = 0
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        sent += s.send(chunk)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(30)
    s.recv(1)
    took = time.monotonic() - start
    s.close()
    say(json.dumps({"bytes": sent, "seconds": round(took, 3), "mbps": round(sent * 8 / took / 1e6, 2)}))


def connrate(ip, port, seconds):
    # Each connection is complete (handshake, the listener's close seen, ours sent) before the
    # next: new connections one after another, as a stateful rule's commit sees them. Waiting for
    # the listener's close first leaves TIME_WAIT on its side, not on our ephemeral ports.
    count = 0
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        s = socket.create_connection((ip, port), timeout=5)
        s.recv(1)
        s.close()
        count += 1
    took = time.monotonic() - start
    say(json.dumps({"connections": count, "seconds": round(took, 3), "per_s": round(count / took, 1)}))


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
    elif mode == "stream" and len(argv) == 4:
        stream(argv[1], int(argv[2]), float(argv[3]))
    elif mode == "connrate" and len(argv) == 4:
        connrate(argv[1], int(argv[2]), float(argv[3]))
    else:
        sys.stderr.write("usage: listen tcp|udp|sink PORT SECONDS | connect PROTO IP PORT MS | send IFACE HEX..."
            " | stream IP PORT SECONDS | connrate IP PORT SECONDS\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
