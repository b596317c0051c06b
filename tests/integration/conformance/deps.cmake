# The conformance tests drive real TUN devices (tb_device), compare with the offload engine
# (tb_offload) and save failing cases as pcap fixtures (tb_pcapio).
set(INTEGRATION_DEPS tb_device tb_offload tb_pcapio tb_vnet tb_packet)
