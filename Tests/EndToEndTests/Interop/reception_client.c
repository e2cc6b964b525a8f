/*
 * An independent bus client in C, on libzmq and libprotobuf-c with protoc-c code generated from Protos/:
 * registers a patient, reads it back, then tries to register it again. It prints one line per step for the
 * Swift test that compiles and runs it; the exit status is 0 only if every reply had the expected shape.
 *
 * On a CURVE bus it connects with its own key pair, read from the key file `clinic keys new NAME` writes (lines
 * `public = <z85>` and `secret = <z85>`), trusting only the broker whose public key it is given.
 *
 * Usage: reception_client <broker endpoint> <name> <phone> <birth date> [<key file> <broker public key>]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "clinic/bus/v1/envelope.pb-c.h"
#include "clinic/reception/v1/reception.pb-c.h"

#define SERVICE "clinic.reception.v1.Reception"
#define MAX_FRAMES 8

typedef struct {
    size_t count;
    zmq_msg_t frames[MAX_FRAMES];
} Reply;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_frame(void *socket, const void *data, size_t size, int more) {
    return zmq_send(socket, data, size, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

/* Sends one request (MDP/0.2 client frames on a DEALER) and receives its reply frames; 0 on success. */
static int call(void *socket, const char *method, const char *request_id, const ProtobufCMessage *request, Reply *reply) {
    Clinic__Bus__V1__Caller caller = CLINIC__BUS__V1__CALLER__INIT;
    caller.system = "c-interop";
    caller.subject = "c-client";
    Clinic__Bus__V1__RequestHeader header = CLINIC__BUS__V1__REQUEST_HEADER__INIT;
    header.method = (char *)method;
    header.request_id = (char *)request_id;
    header.deadline_unix_ms = now_ms() + 5000;
    header.caller = &caller;

    size_t header_size = protobuf_c_message_get_packed_size(&header.base);
    size_t payload_size = protobuf_c_message_get_packed_size(request);
    uint8_t *header_bytes = malloc(header_size + 1), *payload_bytes = malloc(payload_size + 1);
    protobuf_c_message_pack(&header.base, header_bytes);
    protobuf_c_message_pack(request, payload_bytes);
    const uint8_t command = 0x01; /* REQUEST */
    int failed = send_frame(socket, "MDPC02", 6, 1) || send_frame(socket, &command, 1, 1)
        || send_frame(socket, SERVICE, strlen(SERVICE), 1) || send_frame(socket, header_bytes, header_size, 1)
        || send_frame(socket, payload_bytes, payload_size, 0);
    free(header_bytes);
    free(payload_bytes);
    if (failed) return -1;

    zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 5000) != 1) {
        fprintf(stderr, "no reply to %s within 5 s\n", request_id);
        return -1;
    }
    reply->count = 0;
    int more = 1;
    while (more && reply->count < MAX_FRAMES) {
        zmq_msg_t *frame = &reply->frames[reply->count++];
        zmq_msg_init(frame);
        if (zmq_msg_recv(frame, socket, 0) < 0) return -1;
        more = zmq_msg_more(frame);
    }
    return more ? -1 : 0;
}

/* Reads `public = <z85>` and `secret = <z85>` from a key file into the two 41-byte buffers; 0 on success. */
static int read_key_file(const char *path, char public_key[41], char secret_key[41]) {
    FILE *file = fopen(path, "r");
    if (!file) {
        fprintf(stderr, "cannot read the key file %s\n", path);
        return -1;
    }
    char line[256];
    public_key[0] = secret_key[0] = '\0';
    while (fgets(line, sizeof line, file)) {
        char name[16], value[64];
        if (line[0] == '#' || sscanf(line, " %15[a-z] = %63s", name, value) != 2 || strlen(value) != 40) continue;
        if (strcmp(name, "public") == 0) memcpy(public_key, value, 41);
        if (strcmp(name, "secret") == 0) memcpy(secret_key, value, 41);
    }
    fclose(file);
    memset(line, 0, sizeof line);
    if (!public_key[0] || !secret_key[0]) {
        fprintf(stderr, "the key file %s has no public and secret key lines\n", path);
        return -1;
    }
    return 0;
}

/* Makes the socket a CURVE client: the broker's public key and our own pair, all Z85, set before connecting. */
static int use_curve(void *socket, const char *key_file, const char *server_key) {
    char public_key[41], secret_key[41];
    if (read_key_file(key_file, public_key, secret_key) != 0) return -1;
    int failed = zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_key, 41) != 0
        || zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, public_key, 41) != 0
        || zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_key, 41) != 0;
    memset(secret_key, 0, sizeof secret_key);
    if (failed) fprintf(stderr, "CURVE options refused: %s\n", zmq_strerror(zmq_errno()));
    return failed ? -1 : 0;
}

static void release(Reply *reply) {
    for (size_t i = 0; i < reply->count; i++) zmq_msg_close(&reply->frames[i]);
    reply->count = 0;
}

/* The reply header of a well-formed FINAL for our service, or NULL. */
static Clinic__Bus__V1__ReplyHeader *reply_header(Reply *reply, const char *request_id) {
    if (reply->count != 5) {
        fprintf(stderr, "reply to %s has %zu frames, expected 5\n", request_id, reply->count);
        return NULL;
    }
    if (zmq_msg_size(&reply->frames[0]) != 6 || memcmp(zmq_msg_data(&reply->frames[0]), "MDPC02", 6) != 0
        || zmq_msg_size(&reply->frames[1]) != 1 || ((uint8_t *)zmq_msg_data(&reply->frames[1]))[0] != 0x03
        || zmq_msg_size(&reply->frames[2]) != strlen(SERVICE)
        || memcmp(zmq_msg_data(&reply->frames[2]), SERVICE, strlen(SERVICE)) != 0) {
        fprintf(stderr, "reply to %s is not an MDPC02 FINAL from %s\n", request_id, SERVICE);
        return NULL;
    }
    Clinic__Bus__V1__ReplyHeader *header = clinic__bus__v1__reply_header__unpack(
        NULL, zmq_msg_size(&reply->frames[3]), zmq_msg_data(&reply->frames[3]));
    if (!header) {
        fprintf(stderr, "reply header to %s does not decode\n", request_id);
    } else if (strcmp(header->request_id, request_id) != 0) {
        fprintf(stderr, "reply header carries request id '%s', expected '%s'\n", header->request_id, request_id);
        clinic__bus__v1__reply_header__free_unpacked(header, NULL);
        return NULL;
    }
    return header;
}

static Clinic__Reception__V1__Patient *patient_payload(Reply *reply) {
    return clinic__reception__v1__patient__unpack(NULL, zmq_msg_size(&reply->frames[4]), zmq_msg_data(&reply->frames[4]));
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 7) {
        fprintf(stderr, "usage: %s <endpoint> <name> <phone> <birth date> [<key file> <broker public key>]\n", argv[0]);
        return 2;
    }
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    if (argc == 7 && (strlen(argv[6]) != 40 || use_curve(socket, argv[5], argv[6]) != 0)) {
        fprintf(stderr, "cannot set up CURVE (a key file and the broker's 40-character public key)\n");
        return 1;
    }
    if (zmq_connect(socket, argv[1]) != 0) {
        fprintf(stderr, "connect failed: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    int status = 1;
    Reply reply = {0};

    /* 1. Register. */
    Clinic__Reception__V1__RegisterPatientRequest registration = CLINIC__RECEPTION__V1__REGISTER_PATIENT_REQUEST__INIT;
    registration.name = argv[2];
    registration.phone = argv[3];
    registration.birth_date = argv[4];
    registration.gender = CLINIC__COMMON__V1__GENDER__GENDER_FEMALE;
    char *allergies[] = {"青霉素"};
    registration.n_allergies = 1;
    registration.allergies = allergies;
    if (call(socket, "clinic.reception.v1.Reception/RegisterPatient", "c-1", &registration.base, &reply) != 0) goto done;
    Clinic__Bus__V1__ReplyHeader *header = reply_header(&reply, "c-1");
    if (!header) goto done;
    Clinic__Reception__V1__Patient *patient = header->code == CLINIC__BUS__V1__STATUS_CODE__OK ? patient_payload(&reply) : NULL;
    printf("register %d %s\n", header->code, patient ? patient->id : header->message);
    clinic__bus__v1__reply_header__free_unpacked(header, NULL);
    if (!patient) goto done;
    char id[64];
    snprintf(id, sizeof id, "%s", patient->id);
    clinic__reception__v1__patient__free_unpacked(patient, NULL);
    release(&reply);

    /* 2. Read it back. */
    Clinic__Reception__V1__GetPatientRequest get = CLINIC__RECEPTION__V1__GET_PATIENT_REQUEST__INIT;
    get.patient_id = id;
    get.reason = "c interop";
    if (call(socket, "clinic.reception.v1.Reception/GetPatient", "c-2", &get.base, &reply) != 0) goto done;
    header = reply_header(&reply, "c-2");
    if (!header || header->code != CLINIC__BUS__V1__STATUS_CODE__OK) goto done;
    clinic__bus__v1__reply_header__free_unpacked(header, NULL);
    patient = patient_payload(&reply);
    if (!patient) goto done;
    printf("get %s|%s|%s|%s|%d|%zu:%s\n", patient->id, patient->name, patient->phone, patient->birth_date,
           (int)patient->gender, patient->n_allergies, patient->n_allergies ? patient->allergies[0] : "");
    clinic__reception__v1__patient__free_unpacked(patient, NULL);
    release(&reply);

    /* 3. The same phone again: ALREADY_EXISTS, naming the first record. */
    if (call(socket, "clinic.reception.v1.Reception/RegisterPatient", "c-3", &registration.base, &reply) != 0) goto done;
    header = reply_header(&reply, "c-3");
    if (!header) goto done;
    printf("duplicate %d %s\n", header->code, header->message);
    clinic__bus__v1__reply_header__free_unpacked(header, NULL);
    status = 0;

done:
    release(&reply);
    zmq_close(socket);
    zmq_ctx_term(context);
    if (status != 0) fprintf(stderr, "a call failed or its reply had the wrong shape\n");
    return status;
}
