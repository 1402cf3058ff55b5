from vrrpcap.cli import main

main()
