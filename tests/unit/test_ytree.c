/* The YAML front end: documents one at a time, positions, scalar flags, aliases both ways, the bounds,
 * and errors that say where. */
#include "harness.h"
#include "ytree.h"

static struct arena A;

static struct ytree *open_text(const char *s, const struct ytree_opts *o)
{
	return ytree_open(s, strlen(s), &A, o);
}

static void test_documents(void)
{
	struct ytree *t = open_text("a: 1\nb: [x, 'y']\n---\n- z\n---\n", NULL);
	struct ytree_error e;
	struct ynode *r = NULL;

	CHECK_INT(ytree_next(t, &r, &e), 1);
	CHECK(r && r->kind == Y_MAP && r->n == 4);
	if (r && r->n == 4) {
		CHECK_STR(r->kids[0]->val, "a");
		CHECK(r->kids[1]->kind == Y_SCALAR && r->kids[1]->plain && r->kids[1]->len == 1);
		CHECK(r->kids[2]->line == 2 && r->kids[2]->col == 1);
		const struct ynode *seq = r->kids[3];
		CHECK(seq->kind == Y_SEQ && seq->n == 2 && seq->line == 2 && seq->col == 4);
		if (seq->n == 2) {
			CHECK(seq->kids[0]->plain);
			CHECK(!seq->kids[1]->plain); /* quoted: no implicit typing */
			CHECK(seq->kids[1]->line == 2 && seq->kids[1]->col == 8);
		}
	}
	CHECK_INT(ytree_next(t, &r, &e), 1);
	CHECK(r && r->kind == Y_SEQ && r->n == 1 && r->line == 4);
	/* An empty document is an empty plain scalar. */
	CHECK_INT(ytree_next(t, &r, &e), 1);
	CHECK(r && r->kind == Y_SCALAR && r->len == 0 && r->plain);
	CHECK_INT(ytree_next(t, &r, &e), 0);
	CHECK_INT(ytree_next(t, &r, &e), 0);
	ytree_close(t);

	t = open_text("# nothing\n", NULL);
	CHECK_INT(ytree_next(t, &r, &e), 0);
	ytree_close(t);
}

static void test_scalars(void)
{
	struct ytree *t = open_text("a: !!str 1\nb: \"x\\0y\"\n", NULL);
	struct ytree_error e;
	struct ynode *r = NULL;

	CHECK_INT(ytree_next(t, &r, &e), 1);
	if (r && r->n == 4) {
		CHECK_STR(r->kids[1]->tag, "tag:yaml.org,2002:str");
		CHECK(!r->kids[1]->plain);
		CHECK(r->kids[3]->has_nul && r->kids[3]->len == 3);
		CHECK(!r->kids[0]->has_nul && !r->kids[0]->tag);
	}
	ytree_close(t);
}

static void test_aliases(void)
{
	static const char text[] = "a: &x [1, 2]\nb: *x\nc: *x\n";
	const struct ytree_opts as_nodes = { .alias_nodes = true };
	struct ytree_error e;
	struct ynode *r = NULL;
	struct ytree *t = open_text(text, NULL);

	/* Seen through: the anchored node itself. */
	CHECK_INT(ytree_next(t, &r, &e), 1);
	CHECK(r && r->n == 6 && r->kids[3] == r->kids[1] && r->kids[5] == r->kids[1]);
	ytree_close(t);

	/* As nodes of their own, where they stand. */
	t = open_text(text, &as_nodes);
	CHECK_INT(ytree_next(t, &r, &e), 1);
	if (r && r->n == 6) {
		CHECK(r->kids[3]->kind == Y_ALIAS && r->kids[3]->line == 2 && r->kids[3]->col == 4);
		CHECK_STR(r->kids[3]->val, "x");
	}
	ytree_close(t);

	/* An unknown anchor, and anchors do not cross documents. */
	t = open_text("a: &x 1\n---\nb: *x\n", NULL);
	CHECK_INT(ytree_next(t, &r, &e), 1);
	CHECK_INT(ytree_next(t, &r, &e), -EINVAL);
	CHECK(e.line == 3 && e.col == 4);
	CHECK_STR(e.msg, "unknown anchor 'x' referenced");
	ytree_close(t);

	/* The latest definition wins. */
	t = open_text("- &x 1\n- &x 2\n- *x\n", NULL);
	CHECK_INT(ytree_next(t, &r, &e), 1);
	CHECK(r && r->n == 3 && r->kids[2] == r->kids[1]);
	ytree_close(t);
}

static void test_bounds_and_errors(void)
{
	const struct ytree_opts shallow = { .max_depth = 3 }, small = { .max_nodes = 5 };
	struct ytree_error e;
	struct ynode *r = NULL;
	struct ytree *t = open_text("a:\n  b:\n    c: [1]\n", &shallow);

	CHECK_INT(ytree_next(t, &r, &e), -EINVAL);
	CHECK(e.line == 3 && e.col == 8);
	CHECK_STR(e.msg, "nested deeper than 3 levels");
	ytree_close(t);

	t = open_text("[1, 2, 3, 4, 5]\n", &small);
	CHECK_INT(ytree_next(t, &r, &e), -EINVAL);
	CHECK_STR(e.msg, "more than 5 YAML nodes");
	ytree_close(t);

	/* Aliases count too, so a chain of them cannot grow a tree past the bound. */
	t = open_text("- &a 1\n- *a\n- *a\n- *a\n- *a\n", &small);
	CHECK_INT(ytree_next(t, &r, &e), -EINVAL);
	CHECK(e.line == 5);
	ytree_close(t);

	/* A syntax error names where, and stays. */
	t = open_text("a: 1\nb: [x\n", NULL);
	CHECK_INT(ytree_next(t, &r, &e), -EINVAL);
	CHECK(e.line == 3 && e.col == 1);
	CHECK_STR(e.msg, "did not find expected ',' or ']' while parsing a flow sequence (line 2, column 4)");
	memset(&e, 0, sizeof(e));
	CHECK_INT(ytree_next(t, &r, &e), -EINVAL);
	CHECK(e.line == 3 && e.col == 1);
	ytree_close(t);
	ytree_close(NULL);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_documents();
	test_scalars();
	test_aliases();
	test_bounds_and_errors();
	arena_free(&A);
	return test_summary(argv[0]);
}
