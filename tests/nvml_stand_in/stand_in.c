/*
 * A stand-in libnvidia-ml.so.1 for tfs's tests: the NVML entry points
 * nvml-wrapper calls for what tfs uses, with NVML's C signatures, over GPUs
 * described by the environment. nvml-wrapper looks every symbol up when it
 * loads the library but only fails on a missing one when it is called, so
 * this exports just those tfs calls.
 *
 *   TFS_NVML_GPUS  GPUs in index order, `;` between them, each
 *                  `UUID,NAME,TOTAL_MIB,USED_MIB`, e.g.
 *                  `GPU-1111,NVIDIA H100 80GB HBM3,81559,1024`
 *   TFS_NVML_FAIL  `init`: nvmlInit_v2 fails as after a driver upgrade
 *                  without a reboot (NVML_ERROR_LIB_RM_VERSION_MISMATCH);
 *                  `QUERY:INDEX` with QUERY one of handle, uuid, name,
 *                  memory: that query of GPU INDEX fails with
 *                  NVML_ERROR_GPU_IS_LOST.
 *   TFS_NVML_DRIVER the driver version (default 550.54.15).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
    NVML_ERROR_UNKNOWN = 999,
};

#define MAX_GPUS 16
#define TEXT 96

struct nvmlDevice_st {
    unsigned int index;
    char uuid[TEXT];
    char name[TEXT];
    unsigned long long total_mib;
    unsigned long long used_mib;
};
typedef struct nvmlDevice_st *nvmlDevice_t;

/* nvmlMemory_v2_t: what nvmlDeviceGetMemoryInfo_v2 fills, in bytes. */
typedef struct {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_v2_t;

/* NVML_STRUCT_VERSION(Memory, 2), as nvml.h defines it. */
#define MEMORY_V2_VERSION ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))

static struct nvmlDevice_st gpus[MAX_GPUS];
static unsigned int gpu_count;
static int initialized;

/* Copies at most size-1 bytes and always ends the copy. */
static void copy(char *to, const char *from, size_t size) {
    strncpy(to, from, size - 1);
    to[size - 1] = '\0';
}

static void read_gpus(void) {
    const char *spec = getenv("TFS_NVML_GPUS");
    gpu_count = 0;
    if (spec == NULL) {
        return;
    }
    char *text = strdup(spec);
    char *saved = NULL;
    for (char *entry = strtok_r(text, ";", &saved); entry != NULL && gpu_count < MAX_GPUS;
         entry = strtok_r(NULL, ";", &saved)) {
        char *fields[4] = {0};
        char *field_saved = NULL;
        int count = 0;
        for (char *field = strtok_r(entry, ",", &field_saved); field != NULL && count < 4;
             field = strtok_r(NULL, ",", &field_saved)) {
            fields[count++] = field;
        }
        if (count != 4) {
            fprintf(stderr, "stand-in NVML: TFS_NVML_GPUS entry needs UUID,NAME,TOTAL_MIB,USED_MIB\n");
            continue;
        }
        struct nvmlDevice_st *gpu = &gpus[gpu_count];
        gpu->index = gpu_count;
        copy(gpu->uuid, fields[0], TEXT);
        copy(gpu->name, fields[1], TEXT);
        gpu->total_mib = strtoull(fields[2], NULL, 10);
        gpu->used_mib = strtoull(fields[3], NULL, 10);
        gpu_count++;
    }
    free(text);
}

/* Whether TFS_NVML_FAIL asks `query` of GPU `index` to fail. */
static int fails(const char *query, unsigned int index) {
    const char *fail = getenv("TFS_NVML_FAIL");
    char wanted[64];
    snprintf(wanted, sizeof wanted, "%s:%u", query, index);
    return fail != NULL && strcmp(fail, wanted) == 0;
}

/* The device a handle stands for; NULL for one this library did not hand out. */
static struct nvmlDevice_st *device(nvmlDevice_t handle) {
    if (handle < gpus || handle >= gpus + gpu_count) {
        return NULL;
    }
    return handle;
}

static nvmlReturn_t text_out(const char *value, char *out, unsigned int length) {
    if (out == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (strlen(value) + 1 > length) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    strcpy(out, value);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void) {
    const char *fail = getenv("TFS_NVML_FAIL");
    if (fail != NULL && strcmp(fail, "init") == 0) {
        return NVML_ERROR_LIB_RM_VERSION_MISMATCH;
    }
    if (initialized++ == 0) {
        read_gpus();
    }
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
    if (initialized == 0) {
        return NVML_ERROR_UNINITIALIZED;
    }
    initialized--;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH: return "Driver/library version mismatch";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    const char *driver = getenv("TFS_NVML_DRIVER");
    return text_out(driver != NULL ? driver : "550.54.15", version, length);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (count == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *count = gpu_count;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *handle) {
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (index >= gpu_count || handle == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (fails("handle", index)) {
        return NVML_ERROR_GPU_IS_LOST;
    }
    *handle = &gpus[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t handle, char *uuid, unsigned int length) {
    struct nvmlDevice_st *gpu = device(handle);
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (gpu == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (fails("uuid", gpu->index)) {
        return NVML_ERROR_GPU_IS_LOST;
    }
    return text_out(gpu->uuid, uuid, length);
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t handle, char *name, unsigned int length) {
    struct nvmlDevice_st *gpu = device(handle);
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (gpu == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (fails("name", gpu->index)) {
        return NVML_ERROR_GPU_IS_LOST;
    }
    return text_out(gpu->name, name, length);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t handle, nvmlMemory_v2_t *memory) {
    struct nvmlDevice_st *gpu = device(handle);
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (gpu == NULL || memory == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    /* The real library refuses a struct of another version: so does this one. */
    if (memory->version != MEMORY_V2_VERSION) {
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    }
    if (fails("memory", gpu->index)) {
        return NVML_ERROR_GPU_IS_LOST;
    }
    const unsigned long long mib = 1024ull * 1024ull;
    memory->total = gpu->total_mib * mib;
    memory->reserved = 0;
    memory->used = gpu->used_mib * mib;
    memory->free = memory->total - memory->used;
    return NVML_SUCCESS;
}
