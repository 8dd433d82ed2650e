/*
 * cf_class: the word classes of C and F lines ($=x in rules).
 *
 * Owns each class's set of words.  Class names share the macro name space
 * (a class id is a macro id), as upstream's do.  Membership ignores case.
 */
#include "config.h"

#include <stdlib.h>

#include "cf.h"
#include "cf_internal.h"
#include "pt_alloc.h"
#include "pt_set.h"

struct cf_class {
	struct pt_set words;
};

/* Returns class id, making room and the class itself when create is set. */
static struct cf_class *
class_get(struct cf_config *cfg, int id, bool create)
{
	if (id < 0)
		return NULL;
	if (id >= cfg->nclasses) {
		int n = cfg->nclasses ? cfg->nclasses : 512;

		if (!create)
			return NULL;
		while (n <= id)
			n *= 2;
		cfg->classes = pt_reallocarray(cfg->classes, (size_t)n, sizeof(struct cf_class *));
		for (int i = cfg->nclasses; i < n; i++)
			cfg->classes[i] = NULL;
		cfg->nclasses = n;
	}
	if (cfg->classes[id] == NULL && create)
		cfg->classes[id] = pt_calloc(1, sizeof(struct cf_class));
	return cfg->classes[id];
}

void
cf_class_add(struct cf_config *cfg, int id, const char *word)
{
	struct cf_class *c = class_get(cfg, id, true);

	if (c != NULL && *word != '\0')
		pt_set_add(&c->words, word);
}

bool
cf_class_has(const struct cf_config *cfg, int id, const char *word)
{
	if (id < 0 || id >= cfg->nclasses || cfg->classes[id] == NULL)
		return false;
	return pt_set_has(&cfg->classes[id]->words, word);
}

void
cf_class_each(const struct cf_config *cfg, int id, void (*fn)(const char *word, void *arg),
    void *arg)
{
	if (id < 0 || id >= cfg->nclasses || cfg->classes[id] == NULL)
		return;
	pt_set_each(&cfg->classes[id]->words, fn, arg);
}

void
cf_classes_free(struct cf_config *cfg)
{
	for (int i = 0; i < cfg->nclasses; i++) {
		if (cfg->classes[i] != NULL) {
			pt_set_free(&cfg->classes[i]->words);
			free(cfg->classes[i]);
		}
	}
	free(cfg->classes);
	cfg->classes = NULL;
	cfg->nclasses = 0;
}

size_t
cf_class_maxlen(const struct cf_config *cfg, int id)
{
	if (id < 0 || id >= cfg->nclasses || cfg->classes[id] == NULL)
		return 0;
	return cfg->classes[id]->words.maxlen;
}
