# tunfwd's own pieces (thread placement, devices wrapped for faults) outside its main().
set(UNIT_DEPS tunfwd_lib tb_faults)
