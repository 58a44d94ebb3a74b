// stunnel's reload (SIGHUP) closes its listening sockets and binds new ones (stunnel.c,
// signal_pipe_dispatch: unbind_ports, options_apply, bind_ports), so a connection waiting in the
// old socket's backlog is reset and one in the gap is refused (measured by hand: 4 of 800 curl
// requests reset over 30 reloads; docs/architecture.md "Live rotation"). A socket it inherited
// through systemd's socket-activation protocol (LISTEN_FDS, LISTEN_PID, descriptors from 3) is
// never closed by unbind_ports, and bind_ports takes it again: 0 of 800 failed that way. So the
// harness starts stunnel as systemd would: this shim binds and listens on the endpoint, puts the
// socket on descriptor 3 and execs stunnel in its own process (LISTEN_PID is that pid). Perl,
// because perl-base is in every Debian system and image; the shim is passed with -e.
import type { Endpoint } from "../../core/network.js";

const shim = String.raw`
use strict; use Socket; use POSIX (); use Fcntl;
my ($host, $port, @command) = @ARGV;
my $family = $host =~ /:/ ? AF_INET6 : AF_INET;
my $address = $family == AF_INET6 ? pack_sockaddr_in6($port, inet_pton(AF_INET6, $host)) : pack_sockaddr_in($port, inet_aton($host));
socket(my $listener, $family, SOCK_STREAM, 0) or die "failed to create a socket: $!\n";
setsockopt($listener, SOL_SOCKET, SO_REUSEADDR, 1) or die "failed to set SO_REUSEADDR: $!\n";
bind($listener, $address) or die "failed to bind $host:$port: $!\n";
listen($listener, SOMAXCONN) or die "failed to listen on $host:$port: $!\n";
# The socket may already be descriptor 3, with the close-on-exec flag perl sets on it: clear it.
POSIX::dup2(fileno($listener), 3) // die "failed to move the socket to descriptor 3: $!\n";
open(my $inherited, "+<&=", 3) or die "failed to open descriptor 3: $!\n";
fcntl($inherited, F_SETFD, 0) or die "failed to keep descriptor 3 open across exec: $!\n";
$ENV{LISTEN_FDS} = 1; $ENV{LISTEN_PID} = $$;
exec { $command[0] } @command or die "failed to exec $command[0]: $!\n";
`;

/** `command` run with a listening socket on `endpoint` as its systemd-activated descriptor 3. */
export function withInheritedListener(endpoint: Endpoint, command: string, args: string[]): [command: string, args: string[]] {
  return ["perl", ["-e", shim, "--", endpoint.host, String(endpoint.port), command, ...args]];
}
