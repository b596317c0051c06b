# The check module; docs/check.md is read to see that it describes every case.
set(UNIT_DEPS tb_check)
set(UNIT_EXTRA_DEFS TB_DOCS_DIR="${PROJECT_SOURCE_DIR}/docs")
