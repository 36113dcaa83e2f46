/* test_arena.c: the per-message region allocator. */
#include "testutil.h"

#include "util/arena.h"

static void test_small_and_large_allocations(void **state)
{
	struct arena *a = arena_new();
	char *big;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		char *s = arena_printf(a, "item %d", i);
		assert_string_equal(s, i == 0 ? "item 0" : s);
		assert_int_equal(((uintptr_t)s) % 16, 0);
	}
	big = arena_alloc(a, 1 << 20);
	big[(1 << 20) - 1] = 'x';
	assert_true(arena_used(a) >= (1u << 20));
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	arena_free(&a);
	assert_null(a);
	arena_free(&a); /* NULL is a no-op */
}

static void test_zeroed(void **state)
{
	struct arena *a = arena_new();
	unsigned char *p = arena_alloc(a, 100);
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_and_large_allocations),
		cmocka_unit_test(test_zeroed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
