// Package egress is Flowhook's only way out to the network: the HTTP client that sends
// webhook requests to user-chosen endpoints, guarded so that it cannot be turned against
// the service's own network (SSRF).
//
// Every connection is checked on the address actually dialed, after DNS resolution,
// against the blocklist of the product docs (egress-blocklist.md): loopback, private,
// carrier-grade NAT, link-local and cloud metadata, documentation, benchmarking,
// multicast, reserved and broadcast ranges, 168.63.129.16, and their IPv6 counterparts
// and smuggling forms (IPv4-mapped, NAT64, 6to4, Teredo). Before any lookup, a URL must
// be https, and a host that spells an IPv4 address oddly (2130706433, 0177.0.0.1,
// 0x7f.0.0.1, 127.1) or names a refused address is refused. Redirects are followed at
// most MaxRedirects times, only to https, each hop dialed through the same guard.
//
// A refusal is a *BlockedError whose message names the host, the address and the range;
// a Decision records the verdict on one address for logs.
//
// The check is written on net/netip (Classify) rather than taken from code.dny.dev/ssrf,
// which does not list 168.63.129.16, refuses IPv4-mapped addresses without naming
// their IPv4 range, and allows only ports 80 and 443. NAT64 addresses of 64:ff9b::/96
// are judged by the IPv4 address they embed, since DNS64 makes them for public hosts
// in IPv6-only networks; the local-use NAT64 prefix, 6to4 and Teredo are refused
// outright, and so is any IPv6 address outside the global unicast space 2000::/3.
//
// Ports are not restricted: the blocklist does not mention them, and an endpoint on
// :8443 is a legitimate marketing-partner setup. Config.AllowCIDRs, set only from the
// deployment's environment (ConfigFromEnv), lets tests and the local runner reach a
// local TLS server; an allowed range overrides the blocklist only inside itself.
//
// Usage:
//
//	cfg, err := egress.ConfigFromEnv(os.Getenv)
//	...
//	client, err := egress.NewClient(cfg)
//	...
//	resp, err := client.Do(req.WithContext(ctx)) // ctx bounds the whole attempt
//	var be *egress.BlockedError
//	if errors.As(err, &be) { /* class "blocked"; be.Error() is the sentence to show */ }
package egress
