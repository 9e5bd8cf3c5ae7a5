// Generated from openapi.json by `npm run -w ui api:sync`. Do not edit.
/* eslint-disable */
export interface paths {
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The newest dead-lettered requests, newest first
         * @description Each carries the error code, the reason and the attempt count it was dead-lettered with.
         */
        get: operations["DeadLettersController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/dead-letters/{id}/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a dead-lettered request back to the requests topic
         * @description The request keeps its id and gets its original time budget again; the worker continues its answer after the error that ended it. Poison messages (not a valid request) cannot be redriven.
         */
        post: operations["DeadLettersController_redrive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/quarantine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Records the services could not process and set aside, newest first
         * @description A record that cannot be read, or whose processing failed for its own sake a few times (say, a response event PostgreSQL refuses), is set aside so that its partition moves on. Each entry says where it came from, which consumers gave up on it and why. Requests go to the dead-letter topic instead.
         */
        get: operations["QuarantineController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a local user (admins only) */
        post: operations["UsersController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your API keys (without their secrets) */
        get: operations["ApiKeysController_list"];
        put?: never;
        /**
         * Create an API key; the key is in this answer only
         * @description Use it as `Authorization: Bearer <key>`.
         */
        post: operations["ApiKeysController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of your API keys */
        delete: operations["ApiKeysController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in with a username and password: an access token and a refresh token */
        post: operations["AuthController_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a refresh token and every token descended from the same login
         * @description The access tokens of that login stop working too (at once on this replica, within seconds on the others).
         */
        post: operations["AuthController_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Swap a refresh token for a new pair
         * @description Each refresh token works once; using one twice revokes all tokens descended from the same login, access tokens included.
         */
        post: operations["AuthController_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a chat request and stream the answer
         * @description The request is made durable in Kafka before the stream starts. Events: queued, started, token (in seq order), then one of done (with usage), error or cancelled. Each SSE `id` is the event seq. A stream cut before its final event (the gateway shutting down) ends with an `error` event of code `upstream_unavailable`, `retriable`, without an SSE `id` and with the seq of the last event sent: the request goes on, and this route resumes it.
         */
        post: operations["ChatController_send"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/{requestId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The state of one of your chat requests
         * @description While it waits in the queue: how many requests are ahead of it, and a rough wait.
         */
        get: operations["ChatController_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/{requestId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop one of your chat requests; the stream ends with a cancelled event */
        post: operations["ChatController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/{requestId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Resume the event stream of one of your chat requests
         * @description Sends the events after the one named by the `Last-Event-ID` header (or the `after` query; neither: from the start): first those already written, then the live ones, without a gap or a repeat, ending with the final event. For a reload, a dropped connection, or another gateway replica. A stream cut before its final event (the gateway shutting down) ends with an `error` event of code `upstream_unavailable`, `retriable`, without an SSE `id` and with the seq of the last event sent: the request goes on, and this route resumes it.
         */
        get: operations["ChatController_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a chat completion (OpenAI shape), streaming or not
         * @description Text, function tools and structured output (`response_format`). With `stream: true` the answer comes as `chat.completion.chunk` events: the role, content pieces, whole tool calls, the finish reason. An error after the stream started comes as a `data:` event holding an OpenAI error, and so does a stream cut before the answer ended (the gateway shutting down): only a complete answer ends with `data: [DONE]`. Each chunk’s SSE `id` is the seq of the event it came from: GET /v1/chat/completions/{completion_id} resumes a chat completion’s stream after it.
         */
        post: operations["OpenAiController_chatCompletions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions/{completionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of your chat completions (OpenAI shape), or its stream again
         * @description Without `stream`: the `chat.completion`, once its answer ends (as OpenAI’s retrieve gives a stored one). With `stream=true`: its chunks after the one named by `Last-Event-ID` (none: all), the stored ones and then the live ones, without a gap or a repeat: for a client whose stream dropped. An error after the stream started comes as a `data:` event holding an OpenAI error, and so does a stream cut before the answer ended (the gateway shutting down): only a complete answer ends with `data: [DONE]`. Each chunk’s SSE `id` is the seq of the event it came from: GET /v1/chat/completions/{completion_id} resumes a chat completion’s stream after it.
         */
        get: operations["OpenAiController_retrieveChatCompletion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a completion (OpenAI’s legacy Completions API), streaming or not
         * @description The prompt is continued as it is, without the model’s chat template. With `stream: true` the answer comes as `text_completion` events, a piece of text each, the last with the finish reason. An error after the stream started comes as a `data:` event holding an OpenAI error, and so does a stream cut before the answer ended (the gateway shutting down): only a complete answer ends with `data: [DONE]`. Each chunk’s SSE `id` is the seq of the event it came from: GET /v1/chat/completions/{completion_id} resumes a chat completion’s stream after it.
         */
        post: operations["OpenAiController_completions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your conversations, newest first, a page at a time */
        get: operations["ConversationsController_list"];
        put?: never;
        /** Start a conversation */
        post: operations["ConversationsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of your conversations, with its messages */
        get: operations["ConversationsController_get"];
        put?: never;
        post?: never;
        /** Delete one of your conversations */
        delete: operations["ConversationsController_delete"];
        options?: never;
        head?: never;
        /** Rename one of your conversations */
        patch: operations["ConversationsController_rename"];
        trace?: never;
    };
    "/v1/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a message; 202 with the request id and queue position at once
         * @description The answer streams from `eventsUrl` (SSE, resumable with Last-Event-ID).
         */
        post: operations["ConversationsController_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversations/{id}/messages/last": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Edit your last message and get a new answer to it (what followed it is replaced) */
        put: operations["ConversationsController_editLast"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conversations/{id}/regenerate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the last answer with a new one */
        post: operations["ConversationsController_regenerate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create embeddings (OpenAI shape)
         * @description One vector an input string, in order; `encoding_format: base64` gives each as little-endian float32 bytes.
         */
        post: operations["EmbeddingsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The models (OpenAI shape)
         * @description The models the caller's roles may use. `default` marks the model that answers a request naming none (OpenAI clients ignore it).
         */
        get: operations["OpenAiController_listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a response (OpenAI Responses API), streaming or not
         * @description Text, function tools and structured output (`text.format`). `previous_response_id` carries on the conversation of an earlier response. With `stream: true` the answer comes as Responses stream events (`response.created` … `response.completed`), each with a `sequence_number`.
         */
        post: operations["ResponsesController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/responses/{responseId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retrieve one of your responses, or stream its events again
         * @description Without `stream`: the response as it stands. With `stream=true`: its events from the start (or after `starting_after`), the stored ones then the live ones, without a gap or a repeat.
         */
        get: operations["ResponsesController_retrieve"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The health of every service and of what each depends on
         * @description The gateway's own checks, and the readiness of kafka-producer, kafka-consumer and gpt-api with their dependencies. Always 200: the states say what is down.
         */
        get: operations["StatusController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ApiKey: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            lastUsedAt: string | null;
            name: string;
            prefix: string;
        };
        ApiKeyList: {
            items: {
                /** Format: date-time */
                createdAt: string;
                /** Format: uuid */
                id: string;
                lastUsedAt: string | null;
                name: string;
                prefix: string;
            }[];
        };
        CancelAccepted: {
            /** Format: uuid */
            requestId: string;
        };
        ChatCompletion: {
            choices: {
                /** @enum {string} */
                finish_reason: "stop" | "length" | "tool_calls";
                index: number;
                logprobs: {
                    content: {
                        bytes: number[] | null;
                        logprob: number;
                        token: string;
                        top_logprobs: {
                            bytes: number[] | null;
                            logprob: number;
                            token: string;
                        }[];
                    }[];
                    refusal: null;
                } | null;
                message: {
                    content: string | null;
                    refusal: null;
                    /** @constant */
                    role: "assistant";
                    tool_calls?: {
                        function: {
                            arguments: string;
                            name: string;
                        };
                        id: string;
                        /** @constant */
                        type: "function";
                    }[];
                };
            }[];
            created: number;
            id: string;
            model: string;
            /** @constant */
            object: "chat.completion";
            usage: {
                completion_tokens: number;
                prompt_tokens: number;
                total_tokens: number;
            };
        };
        ChatCompletionChunk: {
            choices: {
                delta: {
                    content?: string;
                    /** @constant */
                    role?: "assistant";
                    tool_calls?: {
                        function: {
                            arguments: string;
                            name: string;
                        };
                        id: string;
                        index: number;
                        /** @constant */
                        type: "function";
                    }[];
                };
                finish_reason: ("stop" | "length" | "tool_calls") | null;
                index: number;
                logprobs: {
                    content: {
                        bytes: number[] | null;
                        logprob: number;
                        token: string;
                        top_logprobs: {
                            bytes: number[] | null;
                            logprob: number;
                            token: string;
                        }[];
                    }[];
                    refusal: null;
                } | null;
            }[];
            created: number;
            id: string;
            model: string;
            /** @constant */
            object: "chat.completion.chunk";
            usage?: {
                completion_tokens: number;
                prompt_tokens: number;
                total_tokens: number;
            } | null;
        };
        ChatRequestState: {
            completionTokens: number | null;
            /** Format: uuid */
            conversationId: string;
            /** Format: date-time */
            createdAt: string;
            errorCode: string | null;
            estimatedWaitSeconds: number | null;
            finishedAt: string | null;
            model: string | null;
            promptTokens: number | null;
            queuePosition: number | null;
            /** Format: uuid */
            requestId: string;
            /** @enum {string} */
            status: "accepted" | "queued" | "running" | "done" | "error" | "cancelled" | "rejected";
            userId: string;
        };
        Conversation: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            model: string | null;
            title: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ConversationPage: {
            items: {
                /** Format: date-time */
                createdAt: string;
                /** Format: uuid */
                id: string;
                model: string | null;
                title: string;
                /** Format: date-time */
                updatedAt: string;
            }[];
            nextCursor: string | null;
        };
        ConversationWithMessages: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            messages: {
                content: string;
                /** Format: date-time */
                createdAt: string;
                durationMs: number | null;
                errorCode: string | null;
                errorMessage: string | null;
                finishedAt: string | null;
                /** Format: uuid */
                id: string;
                model: string | null;
                requestId: string | null;
                /** @enum {string} */
                role: "system" | "user" | "assistant" | "tool";
                /** @enum {string} */
                status: "pending" | "running" | "done" | "error" | "cancelled";
                toolCallId: string | null;
                toolCalls: {
                    arguments: string;
                    id: string;
                    name: string;
                }[] | null;
                usage: {
                    completionTokens: number;
                    promptTokens: number;
                } | null;
            }[];
            model: string | null;
            title: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CreatedApiKey: {
            /** Format: date-time */
            createdAt: string;
            /** Format: uuid */
            id: string;
            key: string;
            lastUsedAt: string | null;
            name: string;
            prefix: string;
        };
        CreatedUser: {
            /** Format: uuid */
            id: string;
            roles: ("user" | "admin")[];
            username: string;
        };
        DeadLetter: {
            attempts: number | null;
            code: string | null;
            conversationId: string | null;
            /** Format: date-time */
            deadLetteredAt: string;
            id: string;
            reason: string | null;
            redrivable: boolean;
            requestId: string | null;
            retries: number | null;
            sourceTopic: string | null;
            userId: string | null;
        };
        DeadLetterList: {
            items: {
                attempts: number | null;
                code: string | null;
                conversationId: string | null;
                /** Format: date-time */
                deadLetteredAt: string;
                id: string;
                reason: string | null;
                redrivable: boolean;
                requestId: string | null;
                retries: number | null;
                sourceTopic: string | null;
                userId: string | null;
            }[];
        };
        EmbeddingList: {
            data: {
                embedding: number[] | string;
                index: number;
                /** @constant */
                object: "embedding";
            }[];
            model: string;
            /** @constant */
            object: "list";
            usage: {
                prompt_tokens: number;
                total_tokens: number;
            };
        };
        Message: {
            content: string;
            /** Format: date-time */
            createdAt: string;
            durationMs: number | null;
            errorCode: string | null;
            errorMessage: string | null;
            finishedAt: string | null;
            /** Format: uuid */
            id: string;
            model: string | null;
            requestId: string | null;
            /** @enum {string} */
            role: "system" | "user" | "assistant" | "tool";
            /** @enum {string} */
            status: "pending" | "running" | "done" | "error" | "cancelled";
            toolCallId: string | null;
            toolCalls: {
                arguments: string;
                id: string;
                name: string;
            }[] | null;
            usage: {
                completionTokens: number;
                promptTokens: number;
            } | null;
        };
        ModelList: {
            data: {
                created: number;
                default: boolean;
                id: string;
                /** @constant */
                object: "model";
                owned_by: string;
            }[];
            /** @constant */
            object: "list";
        };
        OpenAiError: {
            error: {
                /** @enum {string} */
                code: "validation_failed" | "unauthenticated" | "forbidden" | "not_found" | "model_not_found" | "model_unavailable" | "queue_unavailable" | "upstream_unavailable" | "upstream_timeout" | "deadline_exceeded" | "cancelled" | "rate_limited" | "quota_exceeded" | "login_throttled" | "poison_message" | "internal" | "conflict" | "method_not_allowed" | "payload_too_large" | "unsupported_media_type";
                message: string;
                param: string | null;
                type: string;
            };
        };
        Posted: {
            estimatedWaitSeconds: number | null;
            eventsUrl: string;
            /** Format: uuid */
            messageId: string;
            queuePosition: number;
            /** Format: uuid */
            requestId: string;
        };
        ProblemDetails: {
            /** @enum {string} */
            code: "validation_failed" | "unauthenticated" | "forbidden" | "not_found" | "model_not_found" | "model_unavailable" | "queue_unavailable" | "upstream_unavailable" | "upstream_timeout" | "deadline_exceeded" | "cancelled" | "rate_limited" | "quota_exceeded" | "login_throttled" | "poison_message" | "internal" | "conflict" | "method_not_allowed" | "payload_too_large" | "unsupported_media_type";
            detail?: string;
            errors?: {
                message: string;
                path: string;
            }[];
            instance?: string;
            requestId?: string;
            status: number;
            title: string;
            type: string;
        };
        QuarantineList: {
            items: {
                base64: string;
                code: string | null;
                consumers: string[];
                id: string;
                /** Format: date-time */
                quarantinedAt: string;
                reason: string | null;
                sizeBytes: number;
                sourceOffset: string | null;
                sourcePartition: number | null;
                sourceTopic: string | null;
                text: string | null;
                tries: number | null;
            }[];
        };
        Redriven: {
            /** Format: date-time */
            redrivenAt: string;
            /** Format: uuid */
            requestId: string;
        };
        Response: {
            created_at: number;
            error: {
                code: string;
                message: string;
            } | null;
            id: string;
            incomplete_details: {
                /** @constant */
                reason: "max_output_tokens";
            } | null;
            instructions: string | null;
            max_output_tokens: number | null;
            metadata: {
                [key: string]: string;
            };
            model: string;
            /** @constant */
            object: "response";
            output: ({
                content: {
                    annotations: unknown[];
                    logprobs: unknown[];
                    text: string;
                    /** @constant */
                    type: "output_text";
                }[];
                id: string;
                /** @constant */
                role: "assistant";
                /** @enum {string} */
                status: "in_progress" | "completed" | "incomplete";
                /** @constant */
                type: "message";
            } | {
                arguments: string;
                call_id: string;
                id: string;
                name: string;
                /** @enum {string} */
                status: "in_progress" | "completed";
                /** @constant */
                type: "function_call";
            })[];
            output_text?: string;
            parallel_tool_calls: boolean;
            previous_response_id: string | null;
            /** @enum {string} */
            status: "in_progress" | "completed" | "incomplete" | "failed" | "cancelled";
            /** @constant */
            store: true;
            temperature: number | null;
            text: {
                format: unknown;
            };
            tool_choice: unknown;
            tools: unknown[];
            top_p: number | null;
            /** @constant */
            truncation: "disabled";
            usage: {
                input_tokens: number;
                input_tokens_details: {
                    cached_tokens: number;
                };
                output_tokens: number;
                output_tokens_details: {
                    reasoning_tokens: number;
                };
                total_tokens: number;
            } | null;
            user: string | null;
        };
        ResponseEvent: {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversationId: string;
            /** @constant */
            kind: "chat.response";
            /** Format: uuid */
            requestId: string;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "queued";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversationId: string;
            /** @constant */
            kind: "chat.response";
            model: string;
            /** Format: uuid */
            requestId: string;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "started";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            afterSeq: number;
            /** Format: date-time */
            at: string;
            attempt: number;
            /** Format: uuid */
            conversationId: string;
            /** @constant */
            kind: "chat.response";
            /** Format: uuid */
            requestId: string;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "resumed";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            /** Format: date-time */
            at: string;
            /** @enum {string} */
            code: "validation_failed" | "unauthenticated" | "forbidden" | "not_found" | "model_not_found" | "model_unavailable" | "queue_unavailable" | "upstream_unavailable" | "upstream_timeout" | "deadline_exceeded" | "cancelled" | "rate_limited" | "quota_exceeded" | "login_throttled" | "poison_message" | "internal" | "conflict" | "method_not_allowed" | "payload_too_large" | "unsupported_media_type";
            /** Format: uuid */
            conversationId: string;
            delayMs: number;
            /** @constant */
            kind: "chat.response";
            message: string;
            /** Format: uuid */
            requestId: string;
            retry: number;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "retrying";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversationId: string;
            /** @constant */
            kind: "chat.response";
            logprobs?: {
                bytes?: number[];
                logprob: number;
                token: string;
                topLogprobs?: {
                    bytes?: number[];
                    logprob: number;
                    token: string;
                }[];
            }[];
            /** Format: uuid */
            requestId: string;
            seq: number;
            text: string;
            traceId?: string;
            /** @constant */
            type: "token";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            arguments: string;
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversationId: string;
            id: string;
            index: number;
            /** @constant */
            kind: "chat.response";
            name: string;
            /** Format: uuid */
            requestId: string;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "tool_call";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversationId: string;
            durationMs: number;
            /** @enum {string} */
            finishReason: "stop" | "length" | "cancelled" | "tool_calls";
            /** @constant */
            kind: "chat.response";
            model: string;
            /** Format: uuid */
            requestId: string;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "done";
            usage: {
                completionTokens: number;
                promptTokens: number;
                totalTokens: number;
            };
            userId: string;
            /** @constant */
            version: 1;
        } | {
            /** Format: date-time */
            at: string;
            /** @enum {string} */
            code: "validation_failed" | "unauthenticated" | "forbidden" | "not_found" | "model_not_found" | "model_unavailable" | "queue_unavailable" | "upstream_unavailable" | "upstream_timeout" | "deadline_exceeded" | "cancelled" | "rate_limited" | "quota_exceeded" | "login_throttled" | "poison_message" | "internal" | "conflict" | "method_not_allowed" | "payload_too_large" | "unsupported_media_type";
            /** Format: uuid */
            conversationId: string;
            /** @constant */
            kind: "chat.response";
            message: string;
            /** Format: uuid */
            requestId: string;
            retriable: boolean;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "error";
            userId: string;
            /** @constant */
            version: 1;
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversationId: string;
            /** @constant */
            kind: "chat.response";
            reason: string;
            /** Format: uuid */
            requestId: string;
            seq: number;
            traceId?: string;
            /** @constant */
            type: "cancelled";
            userId: string;
            /** @constant */
            version: 1;
        };
        ResponseStreamEvent: {
            sequence_number: number;
            type: string;
        } & {
            [key: string]: unknown;
        };
        SystemStatus: {
            /** Format: date-time */
            checkedAt: string;
            services: {
                dependencies: {
                    message?: string;
                    name: string;
                    /** @enum {string} */
                    state: "up" | "down";
                }[];
                message?: string;
                name: string;
                /** @enum {string} */
                state: "up" | "down";
            }[];
            /** @enum {string} */
            state: "up" | "down";
        };
        TextCompletion: {
            choices: {
                finish_reason: ("stop" | "length") | null;
                index: number;
                logprobs: {
                    text_offset: number[];
                    token_logprobs: number[];
                    tokens: string[];
                    top_logprobs: {
                        [key: string]: number;
                    }[];
                } | null;
                text: string;
            }[];
            created: number;
            id: string;
            model: string;
            /** @constant */
            object: "text_completion";
            usage?: {
                completion_tokens: number;
                prompt_tokens: number;
                total_tokens: number;
            } | null;
        };
        TokenPair: {
            accessToken: string;
            expiresIn: number;
            refreshToken: string;
            /** @constant */
            tokenType: "Bearer";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    HealthController_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Health Check is successful */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @example {} */
                        error?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example ok */
                        status?: string;
                    };
                };
            };
            /** @description The Health Check is not successful */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       },
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect"
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /**
                         * @example {
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect"
                         *       }
                         *     }
                         */
                        error?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example error */
                        status?: string;
                    };
                };
            };
        };
    };
    HealthController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Health Check is successful */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @example {} */
                        error?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example ok */
                        status?: string;
                    };
                };
            };
            /** @description The Health Check is not successful */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       },
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect"
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /**
                         * @example {
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect"
                         *       }
                         *     }
                         */
                        error?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example error */
                        status?: string;
                    };
                };
            };
        };
    };
    DeadLettersController_list: {
        parameters: {
            query?: {
                /** @description Dead letters to list, at most. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The dead letters. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetterList"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The caller is not an admin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    DeadLettersController_redrive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The dead letter’s `<partition>:<offset>`. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request is back on the requests topic. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Redriven"];
                };
            };
            /** @description Not a dead-letter id, or the message is not a valid request. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The caller is not an admin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such dead letter. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The requests topic is unavailable. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    QuarantineController_list: {
        parameters: {
            query?: {
                /** @description Records to list, at most. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The newest set-aside records. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QuarantineList"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The caller is not an admin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    UsersController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                    /**
                     * @default [
                     *       "user"
                     *     ]
                     */
                    roles?: ("user" | "admin")[];
                    username: string & (unknown & unknown);
                };
            };
        };
        responses: {
            /** @description The new user. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedUser"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The caller is not an admin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The username is taken. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ApiKeysController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your keys. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyList"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ApiKeysController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string & (unknown & unknown);
                };
            };
        };
        responses: {
            /** @description The key, shown this once. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ApiKeysController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The key’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `id` is not a UUID. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such key of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    AuthController_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                    username: string;
                };
            };
        };
        responses: {
            /** @description The token pair. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description Wrong username or password. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description Too many failed logins for this username or from this address (`login_throttled`); the password was not checked. `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    AuthController_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    refreshToken: string;
                };
            };
        };
        responses: {
            /** @description Revoked (an unknown token is answered the same). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    AuthController_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    refreshToken: string;
                };
            };
        };
        responses: {
            /** @description A new token pair. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The refresh token is unknown, expired, revoked or already used. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ChatController_send: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    conversationId?: string;
                    messages: {
                        content: string;
                        /** @enum {string} */
                        role: "system" | "user" | "assistant" | "tool";
                        toolCallId?: string;
                        toolCalls?: {
                            arguments: string;
                            id: string;
                            name: string;
                        }[];
                    }[];
                    model?: string;
                    /** @default {} */
                    options?: {
                        frequencyPenalty?: number;
                        logprobs?: boolean;
                        maxTokens?: number;
                        parallelToolCalls?: boolean;
                        presencePenalty?: number;
                        raw?: boolean;
                        responseFormat?: {
                            /** @constant */
                            type: "json_object";
                        } | {
                            name: string;
                            schema: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                            /** @constant */
                            type: "json_schema";
                        };
                        seed?: number;
                        stop?: string[];
                        temperature?: number;
                        toolChoice?: ("auto" | "none" | "required") | {
                            name: string;
                        };
                        tools?: {
                            description?: string;
                            name: string;
                            parameters?: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                        }[];
                        topLogprobs?: number;
                        topP?: number;
                    };
                    /** @default 300 */
                    timeoutSeconds?: number;
                };
            };
        };
        responses: {
            /** @description An SSE stream of response events (`id` = seq, `event` = type, `data` = the event as JSON). */
            200: {
                headers: {
                    /** @description The request’s id: what GET /v1/chat/{requestId}, its events and cancel take. */
                    "X-Chat-Request-Id": string;
                    /** @description The conversation the request belongs to (a new one when the body named none). */
                    "X-Conversation-Id": string;
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": {
                        data: string;
                        /** @description The event’s type. */
                        event: string;
                        /** @description The event’s seq: what Last-Event-ID resumes after. */
                        id: string;
                    };
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The `conversationId` is another user’s, or a deleted conversation; or there is no such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ChatController_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The chat request’s id. */
                requestId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatRequestState"];
                };
            };
            /** @description `requestId` is not a UUID. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such request of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ChatController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The chat request’s id. */
                requestId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default cancelled by the user */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description The cancel is on its way to the worker. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CancelAccepted"];
                };
            };
            /**
             * @description Invalid input: problem details name each bad field (`errors`).
             *
             *     `requestId` is not a UUID.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such request of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ChatController_events: {
        parameters: {
            query?: {
                /** @description The seq of the last event the client has, when it cannot send Last-Event-ID (an EventSource cannot). */
                after?: string;
            };
            header?: {
                /** @description The seq of the last event the client has (wins over `after`). */
                "Last-Event-ID"?: string;
            };
            path: {
                /** @description The chat request’s id. */
                requestId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An SSE stream of response events (`id` = seq, `event` = type, `data` = the event as JSON). */
            200: {
                headers: {
                    /** @description The request’s id. */
                    "X-Chat-Request-Id": string;
                    /** @description The conversation the request belongs to. */
                    "X-Conversation-Id": string;
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": {
                        data: string;
                        /** @description The event’s type. */
                        event: string;
                        /** @description The event’s seq: what Last-Event-ID resumes after. */
                        id: string;
                    };
                };
            };
            /**
             * @description Invalid input: problem details name each bad field (`errors`).
             *
             *     `requestId` is not a UUID.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such request of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    OpenAiController_chatCompletions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Not supported: audio output is not supported. */
                    audio?: null;
                    frequency_penalty?: number | null;
                    /** @description Not supported (deprecated): use `tool_choice`. */
                    function_call?: unknown;
                    /** @description Not supported (deprecated): use `tools`. */
                    functions?: unknown;
                    /** @description Not supported: only an empty map. */
                    logit_bias?: Record<string, never> | null;
                    logprobs?: boolean | null;
                    max_completion_tokens?: number | null;
                    /** @description Deprecated by OpenAI; `max_completion_tokens` wins. */
                    max_tokens?: number | null;
                    messages: ({
                        content: string | {
                            text: string;
                            /** @constant */
                            type: "text";
                        }[];
                        /** @description Accepted; has no effect. */
                        name?: string;
                        /** @enum {string} */
                        role: "system" | "developer";
                    } | {
                        content: string | {
                            text: string;
                            /** @constant */
                            type: "text";
                        }[];
                        /** @description Accepted; has no effect. */
                        name?: string;
                        /** @constant */
                        role: "user";
                    } | {
                        /** @description Not supported: audio is not supported. */
                        audio?: null;
                        content?: (string | {
                            text: string;
                            /** @constant */
                            type: "text";
                        }[]) | null;
                        /** @description Not supported: `function_call` is deprecated: use `tool_calls`. */
                        function_call?: null;
                        /** @description Accepted; has no effect. */
                        name?: string;
                        refusal?: string | null;
                        /** @constant */
                        role: "assistant";
                        tool_calls?: {
                            function: {
                                arguments: string;
                                name: string;
                            };
                            id: string;
                            /** @constant */
                            type: "function";
                        }[];
                    } | {
                        content: string | {
                            text: string;
                            /** @constant */
                            type: "text";
                        }[];
                        /** @constant */
                        role: "tool";
                        tool_call_id: string;
                    })[];
                    /** @description Accepted; has no effect. */
                    metadata?: {
                        [key: string]: string;
                    } | null;
                    modalities?: "text"[] | null;
                    model: string;
                    n?: 1 | null;
                    parallel_tool_calls?: boolean;
                    /** @description Not supported: predicted outputs are not supported. */
                    prediction?: null;
                    presence_penalty?: number | null;
                    /** @description Accepted; has no effect. */
                    prompt_cache_key?: string;
                    /** @description Accepted; has no effect. */
                    prompt_cache_retention?: ("in-memory" | "24h") | null;
                    /** @description Not supported: reasoning effort is not supported. */
                    reasoning_effort?: null;
                    response_format?: {
                        /** @constant */
                        type: "text";
                    } | {
                        /** @constant */
                        type: "json_object";
                    } | {
                        json_schema: {
                            /** @description Accepted; has no effect. */
                            description?: string;
                            name: string;
                            schema: {
                                [key: string]: unknown;
                            };
                            strict?: boolean | null;
                        };
                        /** @constant */
                        type: "json_schema";
                    };
                    /** @description Logged with the request id, like `user`. */
                    safety_identifier?: string;
                    seed?: number | null;
                    service_tier?: ("auto" | "default") | null;
                    stop?: (string | string[]) | null;
                    /** @description Accepted; has no effect. */
                    store?: boolean | null;
                    stream?: boolean | null;
                    stream_options?: {
                        /** @description Accepted; has no effect. */
                        include_obfuscation?: boolean;
                        include_usage?: boolean;
                    } | null;
                    temperature?: number | null;
                    tool_choice?: ("auto" | "none" | "required") | {
                        function: {
                            name: string;
                        };
                        /** @constant */
                        type: "function";
                    };
                    tools?: {
                        function: {
                            description?: string;
                            name: string;
                            parameters?: {
                                [key: string]: unknown;
                            };
                            strict?: boolean | null;
                        };
                        /** @constant */
                        type: "function";
                    }[];
                    top_logprobs?: number | null;
                    top_p?: number | null;
                    /** @description Logged with the request id (OpenAI: an end-user id for abuse reports). */
                    user?: string;
                    /** @description Not supported: verbosity is not supported. */
                    verbosity?: null;
                    /** @description Not supported: web search is not supported. */
                    web_search_options?: null;
                };
            };
        };
        responses: {
            /** @description A `chat.completion` object, or with `stream: true` an SSE stream of `chat.completion.chunk`s. */
            200: {
                headers: {
                    /** @description The request’s id (the completion’s id without `chatcmpl-`). */
                    "X-Chat-Request-Id": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatCompletion"];
                    "text/event-stream": {
                        data: "[DONE]" | string;
                        /** @description The seq of the event the chunk came from. */
                        id?: string;
                    };
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The request was cancelled (through POST /v1/chat/{requestId}/cancel) before its answer ended. */
            499: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The worker failed to answer (without `stream`, the error that ended the answer is the response). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The answer took longer than the request’s time budget. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    OpenAiController_retrieveChatCompletion: {
        parameters: {
            query?: {
                /** @description With `stream=true`: the usage chunk at the end, as `stream_options.include_usage` gives it. */
                include_usage?: "true" | "false";
                /** @description `true`: the chunks again, after the one `Last-Event-ID` names (none: all), then the live ones. */
                stream?: "true" | "false";
            };
            header?: {
                /** @description With `stream=true`: the `id` of the last chunk the client has. */
                "Last-Event-ID"?: string;
            };
            path: {
                /** @description The completion’s id, `chatcmpl-` and its request’s id. */
                completionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The `chat.completion`, or with `stream=true` an SSE stream of its `chat.completion.chunk`s. */
            200: {
                headers: {
                    /** @description The request’s id. */
                    "X-Chat-Request-Id": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatCompletion"];
                    "text/event-stream": {
                        data: "[DONE]" | string;
                        /** @description The seq of the event the chunk came from. */
                        id?: string;
                    };
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No such chat completion of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The request was cancelled before its answer ended. */
            499: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The worker failed to answer (without `stream`, the error that ended the answer is the response). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The answer took longer than the request’s time budget. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    OpenAiController_completions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    best_of?: 1 | null;
                    echo?: false | null;
                    frequency_penalty?: number | null;
                    /** @description Not supported: only an empty map. */
                    logit_bias?: Record<string, never> | null;
                    /** @description The log probabilities of this many likeliest tokens in each place. */
                    logprobs?: number | null;
                    /** @description Absent: the model's own limit (OpenAI's default is 16). */
                    max_tokens?: number | null;
                    model: string;
                    n?: 1 | null;
                    presence_penalty?: number | null;
                    prompt: string | [
                        string
                    ];
                    /** @description Logged with the request id, like `user`. */
                    safety_identifier?: string;
                    seed?: number | null;
                    stop?: (string | string[]) | null;
                    stream?: boolean | null;
                    stream_options?: {
                        /** @description Accepted; has no effect. */
                        include_obfuscation?: boolean;
                        include_usage?: boolean;
                    } | null;
                    /** @description Not supported: a suffix (fill in the middle) is not supported. */
                    suffix?: null;
                    temperature?: number | null;
                    top_p?: number | null;
                    /** @description Logged with the request id (OpenAI: an end-user id for abuse reports). */
                    user?: string;
                };
            };
        };
        responses: {
            /** @description A `text_completion` object, or with `stream: true` an SSE stream of them. */
            200: {
                headers: {
                    /** @description The request’s id (the completion’s id without `cmpl-`). */
                    "X-Chat-Request-Id": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TextCompletion"];
                    "text/event-stream": {
                        data: "[DONE]" | string;
                        /** @description The seq of the event the chunk came from. */
                        id?: string;
                    };
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The request was cancelled (through POST /v1/chat/{requestId}/cancel) before its answer ended. */
            499: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The worker failed to answer (without `stream`, the error that ended the answer is the response). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The answer took longer than the request’s time budget. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    ConversationsController_list: {
        parameters: {
            query?: {
                /** @description nextCursor of the previous page. */
                cursor?: string;
                /** @description Conversations a page. */
                limit?: number;
                /** @description Only those whose title contains this (case-insensitive; the first 200 characters count). */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationPage"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    title?: string & (unknown & unknown);
                };
            };
        };
        responses: {
            /** @description The new conversation. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationWithMessages"];
                };
            };
            /** @description `id` is not a UUID. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such conversation of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted, with its messages. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `id` is not a UUID. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such conversation of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_rename: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title: string & (unknown & unknown);
                };
            };
        };
        responses: {
            /** @description The renamed conversation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            /**
             * @description Invalid input: problem details name each bad field (`errors`).
             *
             *     `id` is not a UUID.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No such conversation of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    content: string;
                    model?: string;
                    /** @default {} */
                    options?: {
                        frequencyPenalty?: number;
                        logprobs?: boolean;
                        maxTokens?: number;
                        parallelToolCalls?: boolean;
                        presencePenalty?: number;
                        raw?: boolean;
                        responseFormat?: {
                            /** @constant */
                            type: "json_object";
                        } | {
                            name: string;
                            schema: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                            /** @constant */
                            type: "json_schema";
                        };
                        seed?: number;
                        stop?: string[];
                        temperature?: number;
                        toolChoice?: ("auto" | "none" | "required") | {
                            name: string;
                        };
                        tools?: {
                            description?: string;
                            name: string;
                            parameters?: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                        }[];
                        topLogprobs?: number;
                        topP?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Accepted: the answer streams from eventsUrl. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Posted"];
                };
            };
            /**
             * @description Invalid input: problem details name each bad field (`errors`).
             *
             *     `id` is not a UUID.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /**
             * @description No such conversation of yours, or no such model.
             *
             *     No such conversation of yours.
             */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description An answer in this conversation is still coming; wait for it or cancel it first. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_editLast: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    content: string;
                    model?: string;
                    /** @default {} */
                    options?: {
                        frequencyPenalty?: number;
                        logprobs?: boolean;
                        maxTokens?: number;
                        parallelToolCalls?: boolean;
                        presencePenalty?: number;
                        raw?: boolean;
                        responseFormat?: {
                            /** @constant */
                            type: "json_object";
                        } | {
                            name: string;
                            schema: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                            /** @constant */
                            type: "json_schema";
                        };
                        seed?: number;
                        stop?: string[];
                        temperature?: number;
                        toolChoice?: ("auto" | "none" | "required") | {
                            name: string;
                        };
                        tools?: {
                            description?: string;
                            name: string;
                            parameters?: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                        }[];
                        topLogprobs?: number;
                        topP?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Accepted: the answer streams from eventsUrl. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Posted"];
                };
            };
            /**
             * @description Invalid input: problem details name each bad field (`errors`).
             *
             *     `id` is not a UUID.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /**
             * @description No such conversation of yours, or no such model.
             *
             *     No such conversation of yours.
             */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The conversation has no message of yours to edit, or an answer in it is still coming. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    ConversationsController_regenerate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The conversation’s id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    model?: string;
                    /** @default {} */
                    options?: {
                        frequencyPenalty?: number;
                        logprobs?: boolean;
                        maxTokens?: number;
                        parallelToolCalls?: boolean;
                        presencePenalty?: number;
                        raw?: boolean;
                        responseFormat?: {
                            /** @constant */
                            type: "json_object";
                        } | {
                            name: string;
                            schema: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                            /** @constant */
                            type: "json_schema";
                        };
                        seed?: number;
                        stop?: string[];
                        temperature?: number;
                        toolChoice?: ("auto" | "none" | "required") | {
                            name: string;
                        };
                        tools?: {
                            description?: string;
                            name: string;
                            parameters?: {
                                [key: string]: unknown;
                            };
                            strict?: boolean;
                        }[];
                        topLogprobs?: number;
                        topP?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Accepted: the answer streams from eventsUrl. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Posted"];
                };
            };
            /**
             * @description Invalid input: problem details name each bad field (`errors`).
             *
             *     `id` is not a UUID.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /**
             * @description No such conversation of yours, or no such model.
             *
             *     No such conversation of yours.
             */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The conversation has no answer to replace, or an answer in it is still coming. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
    EmbeddingsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    dimensions?: number;
                    /**
                     * @description `base64`: each vector as little-endian float32 bytes.
                     * @enum {string}
                     */
                    encoding_format?: "float" | "base64";
                    input: string | string[];
                    model: string;
                    /** @description Logged with the request id (OpenAI: an end-user id for abuse reports). */
                    user?: string;
                };
            };
        };
        responses: {
            /** @description The vectors. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbeddingList"];
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No such model. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The request failed in a way the caller cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description gpt-api or the model is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description gpt-api did not answer within EMBED_TIMEOUT_MS. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    OpenAiController_listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The models. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The model catalog is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    ResponsesController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    background?: false | null;
                    conversation?: unknown;
                    include?: unknown[] | null;
                    input: string | ({
                        content: string | {
                            text: string;
                            /** @enum {string} */
                            type: "input_text" | "output_text";
                        }[];
                        /** @enum {string} */
                        role: "user" | "system" | "developer" | "assistant";
                        /** @constant */
                        type?: "message";
                    } | {
                        arguments: string;
                        call_id: string;
                        name: string;
                        /** @constant */
                        type: "function_call";
                    } | {
                        call_id: string;
                        output: string | {
                            text: string;
                            /** @constant */
                            type: "input_text";
                        }[];
                        /** @constant */
                        type: "function_call_output";
                    })[];
                    instructions?: string | null;
                    max_output_tokens?: number | null;
                    metadata?: {
                        [key: string]: string;
                    } | null;
                    model: string;
                    parallel_tool_calls?: boolean | null;
                    previous_response_id?: string | null;
                    prompt?: unknown;
                    reasoning?: unknown;
                    store?: boolean | null;
                    stream?: boolean | null;
                    temperature?: number | null;
                    text?: {
                        format?: ({
                            /** @constant */
                            type: "text";
                        } | {
                            /** @constant */
                            type: "json_object";
                        } | {
                            description?: string | null;
                            name: string;
                            schema: {
                                [key: string]: unknown;
                            };
                            strict?: boolean | null;
                            /** @constant */
                            type: "json_schema";
                        }) | null;
                    } | null;
                    tool_choice?: (("auto" | "none" | "required") | {
                        name: string;
                        /** @constant */
                        type: "function";
                    }) | null;
                    tools?: {
                        description?: string | null;
                        name: string;
                        parameters?: {
                            [key: string]: unknown;
                        } | null;
                        strict?: boolean | null;
                        /** @constant */
                        type: "function";
                    }[] | null;
                    top_logprobs?: unknown;
                    top_p?: number | null;
                    truncation?: "disabled" | null;
                    user?: string | null;
                };
            };
        };
        responses: {
            /** @description A `response` object, or with `stream: true` an SSE stream of Responses events. */
            200: {
                headers: {
                    /** @description The request’s id (the response’s id without `resp_`). */
                    "X-Chat-Request-Id": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Response"];
                    "text/event-stream": {
                        data: string;
                        /** @description The event’s type (`response.created`, `response.output_text.delta`, …, `error`). */
                        event: string;
                    };
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No such model, or no such `previous_response_id`. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The previous response is still being answered. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is larger than the gateway takes (BODY_LIMIT_BYTES). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The body is not JSON: a route with a body takes `application/json` only. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description Over your request rate or daily token quota; `Retry-After` says when to try again. */
            429: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The request was cancelled before its answer ended. */
            499: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The request failed in a way the caller cannot help. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`. */
            503: {
                headers: {
                    /** @description Seconds until trying again may work. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description The answer took longer than the request’s time budget. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    ResponsesController_retrieve: {
        parameters: {
            query?: {
                /** @description With `stream=true`: the `sequence_number` of the last event the client has. */
                starting_after?: string;
                /** @description `true`: the response’s events as SSE, from the start or after `starting_after`. */
                stream?: "true" | "false";
            };
            header?: never;
            path: {
                /** @description The response’s id, `resp_` and its request’s id. */
                responseId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The `response` object, or with `stream=true` an SSE stream of Responses events. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Response"];
                    "text/event-stream": {
                        data: string;
                        /** @description The event’s type (`response.created`, `response.output_text.delta`, …, `error`). */
                        event: string;
                    };
                };
            };
            /** @description Invalid input: problem details name each bad field (`errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description No such response of yours. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    StatusController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Each service, up or down. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SystemStatus"];
                };
            };
            /** @description No credentials, or a token or API key that is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetails"];
                };
            };
        };
    };
}
