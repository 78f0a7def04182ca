#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

// What a running download shares with the other threads that follow it: the readers of its
// bytes (GrowingFileReader) and the task that may cancel it. Internal to core/net.
//
// The worker appends to `path` and then raises `available`; it truncates the file only together
// with raising `generation`; it renames the finished file only together with setting `path` and
// `end`. Every change happens under `mutex` and is announced on `changed`.
struct DownloadChannel {
    enum class End { Running, Succeeded, Failed, Canceled };

    std::mutex mutex;
    std::condition_variable changed;
    QString path;                 // the .part while running, the final file after success
    std::int64_t available = 0;   // bytes at the start of `path` that are written
    std::uint64_t generation = 0; // +1 whenever the file starts over from byte 0
    End end = End::Running;
    QString error; // why, once Failed

    // Set by the task to stop the transfer; checked by the worker between and within steps.
    std::atomic<bool> cancel{false};

    // Sets the end state once (the first caller wins) and wakes every waiter.
    void finish(End how, const QString &why = {})
    {
        {
            const std::lock_guard lock(mutex);
            if (end != End::Running) {
                return;
            }
            end = how;
            error = why;
        }
        changed.notify_all();
    }

    void requestCancel()
    {
        {
            const std::lock_guard lock(mutex); // no waiter can miss the flag between check and wait
            cancel.store(true);
        }
        changed.notify_all(); // wakes a worker waiting before a retry
    }
};
