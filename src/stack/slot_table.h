#pragma once
// Connections (TcpEngine) and flows (UdpRelay) live in slots addressed by the epoll token their
// socket carries: the slot index in the low 32 bits, the slot's generation in the next 31. A slot
// is reused after its object is gone with the next generation, so an event still queued for the
// old object finds nothing instead of the new one. Bit 63 is left to the owner (UDP marks it).
#include <cstdint>
#include <memory>
#include <vector>

namespace stack {

template <class T>
class SlotTable {
 public:
  struct Reservation {
    std::uint32_t slot;
    std::uint64_t token;  // generation << 32 | slot, with the owner's `tag` bits or-ed in
  };

  // A free slot (freed ones first) and the token its next object will carry.
  Reservation reserve(std::uint64_t tag = 0) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
      generations_.push_back(0);
    }
    // 31 bits, never 0: bit 63 belongs to the owner, and tokens 0 and 1 to the event loop.
    generations_[slot] = generations_[slot] % kGenerationMask + 1;
    return {slot, tag | (std::uint64_t{generations_[slot]} << 32) | slot};
  }
  // Gives back a reservation that got no object (its socket could not be made).
  void cancel(std::uint32_t slot) { free_.push_back(slot); }
  T* fill(std::uint32_t slot, std::unique_ptr<T> object) {
    slots_[slot] = std::move(object);
    return slots_[slot].get();
  }

  // The object `token` was issued for, or nullptr when it is gone (or the token is stale).
  T* find(std::uint64_t token) const {
    const auto slot = slot_of(token);
    const auto generation = static_cast<std::uint32_t>(token >> 32) & kGenerationMask;
    if (slot >= slots_.size() || !slots_[slot] || generations_[slot] != generation) return nullptr;
    return slots_[slot].get();
  }
  // The object in `slot`, or nullptr.
  T* at(std::uint32_t slot) const { return slot < slots_.size() ? slots_[slot].get() : nullptr; }
  // Destroys the object of `token`'s slot and frees the slot.
  void erase(std::uint64_t token) {
    const auto slot = slot_of(token);
    slots_[slot].reset();
    free_.push_back(slot);
  }

  static std::uint32_t slot_of(std::uint64_t token) { return static_cast<std::uint32_t>(token); }

 private:
  static constexpr std::uint32_t kGenerationMask = 0x7FFFFFFFu;
  std::vector<std::unique_ptr<T>> slots_;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> free_;
};

}  // namespace stack
