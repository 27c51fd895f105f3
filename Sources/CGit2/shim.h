#ifndef BERTH_CGIT2_SHIM_H
#define BERTH_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/odb_backend.h>

/* git_libgit2_opts is C-variadic, which Swift cannot call: fixed-arity wrappers. */
static inline int cgit_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
static inline int cgit_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}
static inline int cgit_set_ssl_cert_locations(const char *file, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}
static inline int cgit_set_cache_object_limit(git_object_t type, size_t size) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, size);
}
static inline int cgit_set_cache_max_size(ssize_t size) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, size);
}
static inline int cgit_set_mwindow_mapped_limit(size_t size) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, size);
}
static inline int cgit_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
static inline int cgit_enable_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}
static inline int cgit_get_cached_memory(ssize_t *current, ssize_t *allowed) {
    return git_libgit2_opts(GIT_OPT_GET_CACHED_MEMORY, current, allowed);
}
static inline int cgit_set_mwindow_file_limit(size_t count) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, count);
}
/* An object database of one pack alone: which objects a pack holds. */
static inline int cgit_pack_odb(git_odb **out, const char *index_file) {
    git_odb *odb = NULL;
    git_odb_backend *backend = NULL;
    if (git_odb_new(&odb) < 0) return -1;
    if (git_odb_backend_one_pack(&backend, index_file) < 0) { git_odb_free(odb); return -1; }
    if (git_odb_add_backend(odb, backend, 1) < 0) { backend->free(backend); git_odb_free(odb); return -1; }
    *out = odb;
    return 0;
}
/* An object database of loose objects alone: writes land loose even when a pack holds them. */
static inline int cgit_loose_odb(git_odb **out, const char *objects_dir) {
    git_odb *odb = NULL;
    git_odb_backend *backend = NULL;
    if (git_odb_new(&odb) < 0) return -1;
    if (git_odb_backend_loose(&backend, objects_dir, -1, 0, 0, 0) < 0) { git_odb_free(odb); return -1; }
    if (git_odb_add_backend(odb, backend, 1) < 0) { backend->free(backend); git_odb_free(odb); return -1; }
    *out = odb;
    return 0;
}
#endif
