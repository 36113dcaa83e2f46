# leakguard build. `make` builds build/leakguard; `make test` installs what is
# missing, builds, and runs every test; `make demo` runs check over a sample.
# SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.

CC       ?= cc
PKGS     := gmime-3.0 libcurl libxml-2.0 libpsl hunspell jansson libidn2 icu-uc icu-i18n libmagic libcrypto sqlite3 poppler-glib libzip libarchive libmicrohttpd zlib opendkim libcares zbar gdk-pixbuf-2.0 hiredis
CFLAGS   ?= -O2 -g
CFLAGS   += -DLG_SOURCE_DATA_DIR=\"$(CURDIR)/data\"
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wno-unused-parameter -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmilter -lspf2 -lopendmarc -lresolv -lm
BUILD    := build
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
BUILD    := build/asan
endif

SRC      := $(sort $(wildcard src/*/*.c))
LIB_SRC  := $(filter-out src/cli/%,$(SRC))
CLI_SRC  := $(filter src/cli/%,$(SRC)) src/main.c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/portal_assets.o
WEB      := $(sort $(wildcard web/*.html web/*.css web/*.js))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all test unit e2e security milter portal demo deps fuzz bench clean lint
all: $(BUILD)/leakguard

$(BUILD)/leakguard: $(CLI_OBJ) $(BUILD)/libleakguard.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libleakguard.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The portal's web files, compiled into the binary (src/portal/assets.h).
$(BUILD)/gen/portal_assets.c: web/embed.sh $(WEB)
	@mkdir -p $(dir $@)
	web/embed.sh $@ $(WEB)

$(BUILD)/obj/gen/portal_assets.o: $(BUILD)/gen/portal_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h tests/unit/mailtest.h $(BUILD)/libleakguard.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libleakguard.a $(LDLIBS) -lcmocka

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

deps:
	scripts/install-deps.sh

unit: $(TESTS)
	@scripts/run-unit.sh $(TESTS)

e2e: $(BUILD)/leakguard
	tests/e2e/run.sh $(BUILD)/leakguard

# Test-only: the leak index's domain hash narrowed to 4 bits, so every
# domain collides with others and the attack tests see the text decide
# (src/leak/segment.h). Only segment.c is compiled again.
$(BUILD)/obj-narrow/src/leak/segment.o: src/leak/segment.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DLEAK_GROUP_TEST_BITS=4 -c -o $@ $<

$(BUILD)/leakguard-narrow: $(CLI_OBJ) $(filter-out $(BUILD)/obj/src/leak/segment.o,$(LIB_OBJ)) $(BUILD)/obj-narrow/src/leak/segment.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Attacks on the real binary, one script per area (tests/security/).
security: $(BUILD)/leakguard $(BUILD)/leakguard-narrow
	tests/security/run.sh $(BUILD)/leakguard

# The milter in front of a real, private Postfix (needs root).
milter: $(BUILD)/leakguard
	tests/milter/run.sh $(BUILD)/leakguard

# The leak portal in headless Chromium (Playwright), with an SMTP sink and
# dnsmasq on loopback; screenshots in $(BUILD)/portal-artifacts/.
portal: $(BUILD)/leakguard
	tests/portal/run.sh $(BUILD)/leakguard

# The full suite: dependencies, a normal build, then everything again under
# ASan+UBSan, then the fuzz corpus replay.
test: deps
	$(MAKE) lint
	$(MAKE) unit e2e security milter portal
	$(MAKE) SANITIZE=1 unit e2e security milter portal
	$(MAKE) fuzz-replay

lint:
	scripts/lint.sh

# Dependencies first, then a fresh make: pkg-config flags are read when make
# starts, so the build must run in a make started after the install.
demo: deps
	$(MAKE) all
	scripts/demo.sh $(BUILD)/leakguard

fuzz fuzz-replay:
	$(MAKE) -C fuzz $@

bench: all
	bench/check.sh

clean:
	rm -rf build
