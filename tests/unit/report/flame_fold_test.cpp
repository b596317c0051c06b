// The folding rules of report/flame_fold.h (those of stackcollapse-perf.pl), one table row per
// input shape, and the recorded `perf script` output of a real sync-normal run.
#include "report/flame_fold.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fixtures.h"

namespace {

using report::FoldedStacks;

constexpr const char* kHeader = "tunfwd  2663 26539.197452:     250000 cpu-clock:ppp: \n";

struct FoldCase {
  const char* rule;
  std::string input;
  FoldedStacks expected;
};

class FoldRules : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldRules, FoldsAsStackcollapsePerfDoes) {
  const auto& c = GetParam();
  EXPECT_EQ(report::fold_perf_script(c.input), c.expected) << c.rule;
}

const std::string kKernelSample = std::string(kHeader) +
                                  "\tffffffff81dfd51d tun_do_read+0x23d ([kernel.kallsyms])\n"
                                  "\tffffffff8225a101 do_syscall_64+0x71 ([kernel.kallsyms])\n"
                                  "\t          1815dd __readv+0x4d (/work/main/build/release/src/app/tunfwd)\n\n";

INSTANTIATE_TEST_SUITE_P(
    Rules, FoldRules,
    ::testing::Values(
        FoldCase{"CommIsTheRootAndTheLeafComesLast",
                 std::string(kHeader) + "\t1000 leaf+0x1 (/bin/x)\n\t2000 main+0x2 (/bin/x)\n\n",
                 {{"tunfwd;main;leaf", 1}}},
        FoldCase{"KernelFramesGetTheKSuffix", kKernelSample, {{"tunfwd;__readv;do_syscall_64_[k];tun_do_read_[k]", 1}}},
        FoldCase{"KernelModuleAndVmlinuxFramesAreKernelVdsoIsNot",
                 std::string(kHeader) + "\tffffffffc0001000 veth_xmit+0x10 ([veth])\n"
                                        "\tffffffff81000000 ip_output (/lib/modules/6.1/build/vmlinux)\n"
                                        "\t7ffd0000 __vdso_clock_gettime+0x5 ([vdso])\n\n",
                 {{"tunfwd;__vdso_clock_gettime;ip_output_[k];veth_xmit_[k]", 1}}},
        FoldCase{"OffsetsAreStrippedButOperatorPlusIsNot",
                 std::string(kHeader) + "\t1 operator+ (/bin/x)\n\t2 f+0xzz (/bin/x)\n\t3 g+0x1F (/bin/x)\n\n",
                 {{"tunfwd;g;f+0xzz;operator+", 1}}},
        FoldCase{"IdenticalStacksAreMergedWhateverTheirOffsets",
                 std::string(kHeader) + "\t1 leaf+0x1 (/bin/x)\n\t2 main+0x2 (/bin/x)\n\n" + kHeader +
                     "\t5 leaf+0x9 (/bin/x)\n\t6 main+0x7 (/bin/x)\n\n" + kHeader + "\t5 main+0x7 (/bin/x)\n\n",
                 {{"tunfwd;main;leaf", 2}, {"tunfwd;main", 1}}},
        FoldCase{"UnknownFramesAreNamedAfterTheirDsoWhenPerfKnowsIt",
                 std::string(kHeader) + "\t1 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
                                        "\t0 [unknown] ([unknown])\n"
                                        "\t2 [unknown] ([kernel.kallsyms])\n\n",
                 {{"tunfwd;[kernel.kallsyms]_[k];[unknown];[libc.so.6]", 1}}},
        FoldCase{"CppSymbolsKeepTheirSpacesParenthesesAndTemplates",
                 std::string(kHeader) +
                     "\t1 std::vector<int, std::allocator<int> >::push_back(int const&)+0x10 (/bin/x)\n"
                     "\t2 (anonymous namespace)::run() const+0x4 (/tmp/bin (deleted))\n"
                     "\t3 operator<< <char, std::char_traits<char> > (/bin/x)\n\n",
                 {{"tunfwd;operator<< <char, std::char_traits<char> >;(anonymous namespace)::run() const;"
                   "std::vector<int, std::allocator<int> >::push_back(int const&)",
                   1}}},
        FoldCase{"ACommWithSpacesBecomesOneWordAndTheTidFormIsAccepted",
                 "Web Content 123/456 [001] 1.5: 1 cycles:P:\n\t1 f (/bin/x)\n\n",
                 {{"Web_Content;f", 1}}},
        FoldCase{"ASemicolonInASymbolCannotSplitTheFrame",
                 std::string(kHeader) + "\t1 weird;name (/bin/x)\n\n",
                 {{"tunfwd;weird:name", 1}}},
        FoldCase{"ASampleWithoutFramesCountsForItsComm", std::string(kHeader) + "\n", {{"tunfwd", 1}}},
        FoldCase{"AHeaderRightAfterFramesStartsTheNextSample",
                 std::string(kHeader) + "\t1 f (/bin/x)\n" + kHeader + "\t1 f (/bin/x)",
                 {{"tunfwd;f", 2}}},
        FoldCase{"AHeaderPaddedAsWithoutCallChainsIsAHeader",
                 "          tunfwd  2663 26539.1: 1 cpu-clock:\n\t1 f (/bin/x)\n\n",
                 {{"tunfwd;f", 1}}},
        FoldCase{"NoInputNoStacks", "", {}}),
    [](const auto& p) { return std::string(p.param.rule); });

struct BadCase {
  const char* rule;
  std::string input;
  std::string says;  // a part of the error
};

class FoldErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(FoldErrors, NameTheLine) {
  const auto& c = GetParam();
  try {
    report::fold_perf_script(c.input);
    FAIL() << c.rule << ": no error";
  } catch (const report::FoldError& e) {
    EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << c.rule << ": " << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, FoldErrors,
    ::testing::Values(
        BadCase{"AHeaderWithoutPid", "just some text\n", "perf script line 1: expected a sample header"},
        BadCase{"AFrameWithoutAddress", std::string(kHeader) + "\t1 f (/bin/x)\n\tzz f (/bin/x)\n",
                "perf script line 3: expected a frame `address symbol (dso)`, got 'zz f (/bin/x)'"},
        BadCase{"AFrameWithoutDso", std::string(kHeader) + "\t1 f\n", "perf script line 2: frame '1 f' does not end"},
        BadCase{"AFrameWithUnbalancedParentheses", std::string(kHeader) + "\t1 f /bin/x)\n",
                "perf script line 2: frame"},
        BadCase{"AFrameOutsideASampleIsNotAHeader", "\n\n\t1 f (/bin/x)\n", "perf script line 3: expected a sample"}),
    [](const auto& p) { return std::string(p.param.rule); });

TEST(FoldRecorded, EverySampleOfARealRunIsOneStackRootedAtItsComm) {
  const auto text = tbtest::fixture("profile/sync-normal.perf-script.txt");
  std::uint64_t headers = 0;  // one per sample
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) headers += line.starts_with("tunfwd ") ? 1 : 0;
  const auto folded = report::fold_perf_script(text);
  ASSERT_GT(headers, 100u);
  EXPECT_EQ(report::total_samples(folded), headers);
  EXPECT_LT(folded.size(), headers) << "identical stacks merged";
  bool kernel = false;
  for (const auto& [stack, count] : folded) {
    EXPECT_TRUE(stack.starts_with("tunfwd;")) << stack;
    EXPECT_EQ(stack.find("+0x"), std::string::npos) << stack;
    kernel = kernel || stack.find("_[k]") != std::string::npos;
  }
  EXPECT_TRUE(kernel);
  // The read path of a TUN: user space above the syscall, the tun driver in the kernel.
  EXPECT_GT(
      folded.count("tunfwd;__readv;entry_SYSCALL_64_after_hwframe_[k];do_syscall_64_[k];do_readv_[k];vfs_readv_[k];"
                   "do_iter_readv_writev_[k];tun_chr_read_iter_[k];tun_do_read_[k];kmem_cache_free_[k];__slab_free_[k];"
                   "slab_update_freelist.isra.0_[k]"),
      0u);
}

TEST(FoldMerge, AddsTheCountsOfTheSameStack) {
  FoldedStacks into{{"a;b", 2}, {"a", 1}};
  report::merge_folded(into, {{"a;b", 3}, {"c", 4}});
  EXPECT_EQ(into, (FoldedStacks{{"a;b", 5}, {"a", 1}, {"c", 4}}));
  EXPECT_EQ(report::total_samples(into), 10u);
}

TEST(FoldTop, MostSamplesFirstTiesByStack) {
  const FoldedStacks folded{{"b", 5}, {"a", 5}, {"c", 9}, {"d", 1}};
  const auto top = report::top_stacks(folded, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0], (std::pair<std::string, std::uint64_t>{"c", 9}));
  EXPECT_EQ(top[1].first, "a");
  EXPECT_EQ(top[2].first, "b");
}

TEST(FoldText, OneStackAndCountPerLine) { EXPECT_EQ(report::folded_text({{"a;b c", 2}, {"a", 1}}), "a 1\na;b c 2\n"); }

}  // namespace
