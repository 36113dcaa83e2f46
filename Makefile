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

.PHONY: all test unit e2e security milter portal demo deps fuzz bench clean lint install deb package-test man
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
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

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

# The full suite: dependencies, a normal build, the Debian package (about 2
# minutes), then everything again under ASan+UBSan, then the fuzz corpus replay.
test: deps
	$(MAKE) lint
	$(MAKE) unit e2e security milter portal
	$(MAKE) package-test
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

# Man pages, generated from the code's own tables (scripts/mkman.sh): the
# subcommand table and every command's --help, the settings table, the
# signal table and the exit statuses. A key missing from leakguard.conf fails.
MAN := $(BUILD)/man/leakguard.1 $(BUILD)/man/leakguard.conf.5
man: $(MAN)
$(MAN) &: $(BUILD)/leakguard scripts/mkman.sh leakguard.conf src/cli/cli.h
	scripts/mkman.sh $(BUILD)/leakguard $(BUILD)/man

# Installing (README "Installing"). `make install PREFIX=/usr/local
# DESTDIR=/tmp/stage` for systems without the Debian package: the binary, the
# commented configuration (never over an existing one), the data files, the
# samples, the systemd units (their ExecStart pointed at BINDIR) and the man
# pages. The leakguard user and /var/lib/leakguard are the
# administrator's (contrib/leakguard-milter.service says how); the Debian
# package makes them itself.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
DATADIR    ?= $(PREFIX)/share/leakguard
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
UNITS      := $(wildcard contrib/leakguard-*.service contrib/leakguard-*.timer)
install: $(BUILD)/leakguard $(MAN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/leakguard $(DESTDIR)$(DATADIR)/samples/mail $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/leakguard $(DESTDIR)$(BINDIR)/leakguard
	[ -e $(DESTDIR)$(SYSCONFDIR)/leakguard/leakguard.conf ] || \
		install -m 0644 leakguard.conf $(DESTDIR)$(SYSCONFDIR)/leakguard/leakguard.conf
	if [ -d data ]; then cp -R data/. $(DESTDIR)$(DATADIR)/ && \
		find $(DESTDIR)$(DATADIR) -path '*/samples' -prune -o -type f -exec chmod 0644 {} + ; fi
	install -m 0644 samples/leakguard.conf samples/staff.txt $(DESTDIR)$(DATADIR)/samples/
	install -m 0644 samples/mail/*.eml $(DESTDIR)$(DATADIR)/samples/mail/
	for u in $(UNITS); do \
		sed 's|/usr/bin/leakguard|$(BINDIR)/leakguard|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(BUILD)/man/leakguard.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BUILD)/man/leakguard.conf.5 $(DESTDIR)$(MANDIR)/man5/

# The Debian package (debian/), built from a copy of the tree in
# $(BUILD)/deb so dpkg-buildpackage's output (it writes next to the source)
# stays in build/: $(BUILD)/deb/leakguard_VERSION_ARCH.deb, then lintian.
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)
DEB_SRC     = $(BUILD)/deb/leakguard-$(DEB_VERSION)
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_SRC)
	tar -c --exclude=./build --exclude=./node_modules --exclude=./.git --exclude=./fuzz/corpus-work . | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(BUILD)/deb/leakguard_$(DEB_VERSION)_*.changes

# Builds the package, then installs, runs and removes it in a throw-away
# overlay of / (tests/package/run.sh), so the machine is left as it was.
package-test: deb
	tests/package/run.sh $(BUILD)/deb
