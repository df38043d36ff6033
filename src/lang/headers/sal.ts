// <sal.h> and <driverspecs.h>: source annotations. They only guide static analysis, so every one
// is an empty macro here and annotated code pasted from a real driver compiles unchanged.

const PLAIN = [
  '_In_', '_In_opt_', '_Out_', '_Out_opt_', '_Inout_', '_Inout_opt_', '_In_z_', '_In_opt_z_', '_Inout_z_',
  '_Outptr_', '_Outptr_opt_', '_Outptr_result_maybenull_', '_Outptr_opt_result_maybenull_', '_Outptr_result_nullonfailure_',
  '_Ret_maybenull_', '_Ret_notnull_', '_Ret_z_', '_Must_inspect_result_', '_Check_return_', '_Use_decl_annotations_',
  '_Printf_format_string_', '_Null_terminated_', '_NullNull_terminated_', '_Reserved_', '_Pre_notnull_', '_Pre_maybenull_',
  '_Post_notnull_', '_Post_maybenull_', '_Post_invalid_', '_Post_ptr_invalid_', '_Pre_valid_', '_Post_valid_', '_Notnull_', '_Maybenull_',
  '_Frees_ptr_', '_Frees_ptr_opt_', '_Ret_range_', '_IRQL_saves_', '_IRQL_restores_', '_IRQL_requires_same_',
  '_IRQL_uses_cancel_', '_IRQL_is_cancel_', '_Kernel_float_saved_', '_Kernel_float_restored_', '_Kernel_float_used_',
  '_Analysis_noreturn_', '_Post_z_', '_Prepost_z_', '_Must_inspect_impl_', '_Const_', '_Points_to_data_', '_Literal_', '_Notliteral_', '_Pre_', '_Post_', '_Deref_out_',
  '_Field_z_', '_Out_z_', '_In_range_', '_Strict_type_match_', '_Must_inspect_result_', '__drv_aliasesMem',
  '__drv_freesMem', '__drv_allocatesMem', '__drv_savesIRQL', '__drv_restoresIRQL', '__drv_useCancelIRQL', '__drv_sameIRQL',
  '__in', '__out', '__inout', '__in_opt', '__out_opt', '__inout_opt', '__deref_out', '__checkReturn',
];

const WITH_ARGS = [
  '_In_reads_', '_In_reads_opt_', '_In_reads_bytes_', '_In_reads_bytes_opt_', '_In_reads_z_', '_In_reads_or_z_',
  '_Out_writes_', '_Out_writes_opt_', '_Out_writes_bytes_', '_Out_writes_bytes_opt_', '_Out_writes_z_',
  '_Out_writes_to_', '_Out_writes_bytes_to_', '_Out_writes_bytes_all_', '_Out_writes_all_', '_Out_writes_bytes_to_opt_',
  '_Inout_updates_', '_Inout_updates_opt_', '_Inout_updates_bytes_', '_Inout_updates_bytes_opt_', '_Inout_updates_z_',
  '_Outptr_result_buffer_', '_Outptr_result_bytebuffer_', '_Ret_writes_', '_Ret_writes_bytes_', '_Ret_writes_maybenull_',
  '_Ret_writes_bytes_maybenull_', '_Post_writable_byte_size_', '_Post_writable_size_', '_Post_readable_byte_size_',
  '_Field_size_', '_Field_size_opt_', '_Field_size_bytes_', '_Field_size_bytes_opt_', '_Field_size_part_',
  '_Field_size_bytes_part_', '_Field_range_', '_Struct_size_bytes_', '_When_', '_Success_', '_Return_type_success_',
  '_In_range_', '_Out_range_', '_Ret_range_', '_Pre_satisfies_', '_Post_satisfies_', '_Satisfies_', '_Post_equal_to_',
  '_IRQL_requires_', '_IRQL_requires_max_', '_IRQL_requires_min_', '_IRQL_raises_', '_IRQL_always_function_max_',
  '_IRQL_always_function_min_', '_IRQL_limited_to_', '_Function_class_', '_Dispatch_type_', '_Requires_lock_held_',
  '_Requires_lock_not_held_', '_Acquires_lock_', '_Releases_lock_', '_Guarded_by_', '_Interlocked_operand_',
  '_Kernel_requires_resource_held_', '_Kernel_requires_resource_not_held_', '_Kernel_acquires_resource_',
  '_Kernel_releases_resource_', '_Kernel_clear_do_init_', '_Drv_allocatesMem_', '_Drv_freesMem_', '_Analysis_assume_',
  '_At_', '_At_buffer_', '_Group_', '_On_failure_', '_Always_', '_Deref_pre_readonly_', '_Readable_bytes_',
  '_Writable_bytes_', '_Readable_elements_', '_Writable_elements_', '_Pre_readable_size_', '_Pre_writable_size_',
  '_Pre_readable_byte_size_', '_Pre_writable_byte_size_', '_Printf_format_string_params_', '_Param_',
  '__drv_allocatesMem', '__drv_freesMem', '__drv_maxIRQL', '__drv_minIRQL', '__drv_setsIRQL', '__drv_requiresIRQL',
  '__drv_dispatchType', '__drv_functionClass', '__drv_when', '__drv_strictTypeMatch', '__drv_reportError',
  '__drv_raisesIRQL',
];

function define(names: string[], params: string): string {
  const seen = new Set<string>();
  return names
    .filter((n) => !seen.has(n) && (seen.add(n), true))
    .map((n) => `#ifndef ${n}\n#define ${n}${params}\n#endif`)
    .join('\n');
}

export const SAL_H = `/* <sal.h>: source annotations; all of them expand to nothing. */
#ifndef _MDLAB_SAL_H
#define _MDLAB_SAL_H
${define(PLAIN.filter((n) => !WITH_ARGS.includes(n)), '')}
${define(WITH_ARGS, '(...)')}
#endif
`;

export const DRIVERSPECS_H = `/* <driverspecs.h>: driver annotations, part of <sal.h> here. */
#include <sal.h>
`;
