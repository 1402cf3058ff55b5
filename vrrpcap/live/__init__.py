"""`vrrpcap live`: capture VRRP from an interface and feed the same decoder and analyzer as offline.

One job per module:

- ``errors``: the one-line errors of a live capture (no such interface, no permission, no dumpcap)
- ``source``: what every capture backend shares (the BPF filter, the frame queue, drop counters)
- ``socket_source``: scapy's raw packet socket with a kernel BPF filter (the default backend)
- ``dumpcap_source``: Wireshark's dumpcap as a subprocess, its pcapng stream read by our reader
- ``pcapng_writer``: ``--write``: the captured frames as pcapng, with the drop counters at the end
- ``notify``: keepalived-style notify scripts on every change of master, in worker threads
- ``events``: analyzer events as JSON records; findings that only a snapshot shows
- ``dashboard``: the rich live view (and its plain-text form when stdout is not a terminal)
- ``session``: the loop tying them together: frames in, events out, a report at the end

Nothing here imports scapy or rich at module level: ``vrrpcap --help`` stays fast.
"""
