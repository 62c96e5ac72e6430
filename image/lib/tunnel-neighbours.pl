#!/usr/bin/perl
# Keeps the tunnels' neighbours warm (transport-node.sh, warm_tunnel_neighbours): reads the
# Interface monitor's CSV lines on stdin and, for each tunnel whose remote MAC the controller
# recorded, sets that neighbour in ovs-vswitchd's tunnel cache, all over one unixctl connection.
# One ovs-appctl per tunnel cost a process each: a node in a 200-node switch started 199 of them
# while the lab booted, 40,000 in all, and the CPU they took stalled the controller members.
use strict;
use warnings;

# Linux's AF_UNIX and SOCK_STREAM, and its sockaddr_un, by hand: the Socket module alone would
# cost each node about 1.3 MB more memory than the rest of this script.
use constant { AF_UNIX => 1, SOCK_STREAM => 1 };

my $rundir = $ENV{OVS_RUNDIR} // '/run/openvswitch';
my ($ctl, $id) = (undef, 0);

# ovs-vswitchd's control socket, found as ovs-appctl finds it: by its pid file (a restarted
# ovs-vswitchd has a new one).
sub connect_ctl {
  open(my $pidfile, '<', "$rundir/ovs-vswitchd.pid") or return;
  my $pid = <$pidfile>;
  close($pidfile);
  return unless defined $pid && $pid =~ /^(\d+)/;
  socket(my $sock, AF_UNIX, SOCK_STREAM, 0) or return;
  connect($sock, pack('S Z108', AF_UNIX, "$rundir/ovs-vswitchd.$1.ctl")) or return;
  $ctl = $sock;
}

# One JSON-RPC request and its reply (a flat object: the reply to tnl/neigh/set holds no braces).
sub neigh_set {
  my ($ip, $mac) = @_;
  for my $try (1, 2) {
    connect_ctl() unless $ctl;
    next unless $ctl;
    $id++;
    my $reply = '';
    my $request = qq({"id":$id,"method":"tnl/neigh/set","params":["br-phy","$ip","$mac"]});
    if (defined syswrite($ctl, $request)) {
      while ($reply !~ /\}/) {
        my $n = sysread($ctl, my $chunk, 4096);
        last unless $n;
        $reply .= $chunk;
      }
    }
    return if $reply =~ /\}/;
    # The connection went (ovs-vswitchd restarted): once more on a new one.
    close($ctl);
    undef $ctl;
  }
}

# Lines look like: UUID,ACTION,"{key=flow, remote_ip=""IP""}","{nvlab-remote-mac=""MAC"", ...}".
while (my $line = <STDIN>) {
  my ($ip) = $line =~ /remote_ip=""?([0-9.]+)/ or next;
  my ($mac) = $line =~ /nvlab-remote-mac=""?([0-9a-fA-F:]+)/ or next;
  neigh_set($ip, $mac);
}
